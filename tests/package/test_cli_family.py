"""The swng command's number-group family (groups, members, numbers) against
the emulated space: every success path compared with the space's state,
--group-name and E.164 resolution, --ignore-existing, paging, --output
table, escaping of server text, exit statuses, and the create-membership
alias unchanged.

Run by ctest under with_space.py, which exports SWNG_TEST_* variables.
"""
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "space"))
from spaceclient import attach  # noqa: E402

SWNG = sys.argv.pop(1)
SPACE = attach()
BASE = SPACE.base_url
TOKEN = os.environ["SWNG_TEST_TOKEN"]
FIXTURE = json.load(open(os.environ["SWNG_TEST_FIXTURE"], encoding="utf-8"))
SALES, SUPPORT = (g["id"] for g in FIXTURE["number_groups"][:2])
PHONES = FIXTURE["phone_numbers"]
STATUS = {"ok": 0, "invalid_argument": 2, "not_found": 4, "validation": 5, "ambiguous": 11}


def groups():
    return {g["id"]: g for g in SPACE.number_groups()}


def memberships(group=None):
    return [m for m in SPACE.memberships() if group is None or m["number_group_id"] == group]


def run(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALWIRE_")}
    env.update(SIGNALWIRE_PROJECT_ID=os.environ["SWNG_TEST_PROJECT_ID"],
               SIGNALWIRE_REST_BASE_URL=BASE, SIGNALWIRE_API_TOKEN=TOKEN)
    p = subprocess.run([SWNG, *args], env=env, capture_output=True, text=True, timeout=60)
    assert TOKEN not in p.stdout and TOKEN not in p.stderr, "token leaked"
    return p


def lines(p):
    return [json.loads(line) for line in p.stdout.splitlines()]


def table(p):
    """A table's rows as lists of cells (columns are 2+ spaces apart)."""
    rows = [re.split(r"  +", line.rstrip()) for line in p.stdout.splitlines()]
    return rows[0], rows[1:]


class FamilyTest(unittest.TestCase):
    def setUp(self):
        SPACE.reset()

    def ok(self, *args):
        p = run(*args)
        self.assertEqual(p.returncode, 0, "%s: %s" % (args, p.stderr))
        self.assertEqual(p.stderr, "")
        return p

    def fails(self, status, *args):
        p = run(*args)
        self.assertEqual(p.returncode, STATUS[status], "%s: %s" % (args, p.stderr))
        self.assertTrue(p.stderr.startswith("swng: "), p.stderr)
        self.assertEqual(p.stdout, "")
        return p

    # ------------------------------------------------------------- help

    def test_help_lists_the_command_tree(self):
        p = self.ok("--help")
        for words in ("groups list", "groups create", "groups get", "groups update",
                      "groups delete", "members list", "members add", "members remove",
                      "numbers list", "numbers find", "numbers get", "create-membership"):
            self.assertIn("swng " + words, p.stdout)
        for flag in ("--group-name", "--ignore-existing", "--page-size", "--output",
                     "--sticky-sender", "--no-sticky-sender", "--number", "--name"):
            self.assertIn(flag, p.stdout)
        self.assertIn("11 ambiguous", p.stdout)
        p = self.ok("groups", "--help")
        self.assertIn("swng groups update", p.stdout)
        self.assertNotIn("swng members", p.stdout)
        self.assertNotIn("--ignore-existing", p.stdout)
        p = self.ok("members", "--help")
        self.assertIn("swng members add", p.stdout)
        self.assertNotIn("swng groups", p.stdout)

    # -------------------------------------------------------- lifecycle

    def test_lifecycle(self):
        # groups create
        g = json.loads(self.ok("groups", "create", "Night shift").stdout)
        self.assertEqual(groups()[g["id"]], dict(id=g["id"], name="Night shift",
                                                 sticky_sender=False, phone_number_count=0))
        # groups get, by id and by name
        self.assertEqual(json.loads(self.ok("groups", "get", g["id"]).stdout), groups()[g["id"]])
        self.assertEqual(json.loads(self.ok("groups", "get", "--group-name",
                                            "Night shift").stdout)["id"], g["id"])
        # groups update
        u = json.loads(self.ok("groups", "update", g["id"], "--name", "Night shift EU",
                               "--sticky-sender").stdout)
        self.assertEqual(u, groups()[g["id"]])
        self.assertEqual((u["name"], u["sticky_sender"]), ("Night shift EU", True))
        u = json.loads(self.ok("groups", "update", "--group-name", "Night shift EU",
                               "--name", "Night shift EU").stdout)
        self.assertTrue(u["sticky_sender"])  # neither flag: left as it was
        self.ok("groups", "update", g["id"], "--name", "Night shift EU", "--no-sticky-sender")
        self.assertFalse(groups()[g["id"]]["sticky_sender"])
        # members add by id, by E.164, with the group by name
        m1 = json.loads(self.ok("members", "add", g["id"], PHONES[0]["id"]).stdout)
        m2 = json.loads(self.ok("members", "add", g["id"], PHONES[1]["number"]).stdout)
        m3 = json.loads(self.ok("members", "add", "--group-name", "Night shift EU",
                                PHONES[2]["number"]).stdout)
        self.assertEqual([m["phone_number"]["id"] for m in (m1, m2, m3)],
                         [p["id"] for p in PHONES[:3]])
        self.assertEqual([m["id"] for m in memberships(g["id"])], [m1["id"], m2["id"], m3["id"]])
        # members list
        listed = lines(self.ok("members", "list", g["id"]))
        self.assertEqual([m["id"] for m in listed], [m["id"] for m in memberships(g["id"])])
        self.assertEqual(listed[1]["phone_number"]["name"], PHONES[1]["name"])
        # members remove by E.164 (and by id)
        self.assertEqual(self.ok("members", "remove", g["id"], PHONES[1]["number"]).stdout, "")
        self.assertEqual([m["id"] for m in memberships(g["id"])], [m1["id"], m3["id"]])
        self.ok("members", "remove", "--group-name", "Night shift EU", PHONES[0]["id"])
        self.assertEqual([m["id"] for m in memberships(g["id"])], [m3["id"]])
        self.fails("not_found", "members", "remove", g["id"], PHONES[0]["number"])
        # groups delete
        self.assertEqual(self.ok("groups", "delete", g["id"]).stdout, "")
        self.assertNotIn(g["id"], groups())
        self.assertEqual(memberships(g["id"]), [])
        self.fails("not_found", "groups", "get", g["id"])
        self.fails("not_found", "groups", "delete", g["id"])

    def test_groups_create_sticky_and_list(self):
        g = json.loads(self.ok("groups", "create", "Pool", "--sticky-sender").stdout)
        self.assertTrue(groups()[g["id"]]["sticky_sender"])
        listed = lines(self.ok("groups", "list"))
        self.assertEqual(listed, list(groups().values()))
        self.assertEqual([x["id"] for x in lines(self.ok("groups", "list", "--name", "pOo"))],
                         [g["id"]])
        self.assertEqual(self.ok("groups", "list", "--name", "nothing like it").stdout, "")

    # ------------------------------------------------------- resolution

    def test_group_name_not_found_and_ambiguous(self):
        SPACE.clear_journal()
        p = self.fails("not_found", "groups", "get", "--group-name", "Sale")  # exact names only
        self.assertIn("Sale", p.stderr)
        self.fails("not_found", "members", "add", "--group-name", "Nope", PHONES[0]["id"])
        self.assertFalse([r for r in SPACE.journal() if r["method"] != "GET"])
        self.ok("groups", "create", "Sales")
        for args in (["groups", "get"], ["groups", "delete"], ["members", "list"],
                     ["members", "add", PHONES[0]["id"]], ["members", "remove", PHONES[0]["id"]],
                     ["groups", "update", "--name", "x"]):
            with self.subTest(args=args):
                SPACE.clear_journal()
                p = self.fails("ambiguous", *args[:2], "--group-name", "Sales", *args[2:])
                self.assertIn("ambiguous", p.stderr)
                self.assertEqual({r["operation"] for r in SPACE.journal()}, {"list_number_groups"})
        self.assertEqual(len(groups()), 3)
        self.assertEqual(memberships(), [])
        # A name that contains another is not a match for it.
        self.ok("groups", "update", SUPPORT, "--name", "Support desk")
        self.fails("not_found", "groups", "get", "--group-name", "Support")

    def test_number_by_e164(self):
        p = self.ok("numbers", "find", PHONES[1]["number"])
        self.assertEqual(json.loads(p.stdout)["id"], PHONES[1]["id"])
        self.assertEqual(json.loads(self.ok("numbers", "get", PHONES[1]["id"]).stdout)["number"],
                         PHONES[1]["number"])
        self.fails("not_found", "numbers", "find", "+19999999999")
        self.fails("not_found", "members", "add", SALES, "+19999999999")
        self.assertEqual(memberships(), [])

    def test_ignore_existing(self):
        m = json.loads(self.ok("members", "add", SALES, PHONES[3]["number"]).stdout)
        p = self.fails("validation", "members", "add", SALES, PHONES[3]["number"])
        self.assertIn("already_member", p.stderr)
        again = json.loads(self.ok("members", "add", SALES, PHONES[3]["number"],
                                   "--ignore-existing").stdout)
        self.assertEqual(again["id"], m["id"])
        again = json.loads(self.ok("members", "add", "--ignore-existing", "--group-name", "Sales",
                                   PHONES[3]["id"]).stdout)
        self.assertEqual(again["id"], m["id"])
        self.assertEqual(len(memberships(SALES)), 1)
        # A new number with the flag is simply added.
        self.ok("members", "add", SALES, PHONES[4]["id"], "--ignore-existing")
        self.assertEqual(len(memberships(SALES)), 2)
        # Any other 422 stays an error.
        SPACE.fault("status", status=422)
        self.fails("validation", "members", "add", SALES, PHONES[5]["id"], "--ignore-existing")

    # ----------------------------------------------------------- paging

    def test_lists_over_several_pages(self):
        for i in range(5):
            self.ok("members", "add", SUPPORT, PHONES[10 + i]["id"])
            self.ok("groups", "create", "Extra %d" % i)
        cases = [
            (["groups", "list", "--page-size", "2"], "list_number_groups", 7, 4,
             [g["id"] for g in groups().values()]),
            (["members", "list", SUPPORT, "--page-size", "2"], "list_number_group_memberships", 5,
             3, [m["id"] for m in memberships(SUPPORT)]),
            (["numbers", "list", "--page-size", "10"], "list_phone_numbers", len(PHONES), 7,
             [p["id"] for p in PHONES]),
        ]
        for args, operation, count, pages, want in cases:
            with self.subTest(args=args):
                SPACE.clear_journal()
                got = lines(self.ok(*args))
                self.assertEqual(len(got), count)
                self.assertEqual([x["id"] for x in got], want)
                self.assertEqual([r["operation"] for r in SPACE.journal()], [operation] * pages)
                # compact: one object per line
                self.assertEqual(len(self.ok(*args).stdout.splitlines()), count)

    def test_numbers_list_filters(self):
        got = lines(self.ok("numbers", "list", "--number", "+1555123"))
        self.assertEqual([p["id"] for p in got],
                         [p["id"] for p in PHONES if "+1555123" in p["number"]])
        got = lines(self.ok("numbers", "list", "--name", "Zürich"))
        self.assertEqual([p["id"] for p in got], [PHONES[1]["id"]])

    # ------------------------------------------------------------ table

    def test_output_table(self):
        self.ok("members", "add", SALES, PHONES[1]["id"])
        head, rows = table(self.ok("groups", "list", "-o", "table"))
        self.assertEqual(head, ["ID", "NAME", "STICKY_SENDER", "PHONE_NUMBER_COUNT"])
        self.assertEqual(rows, [[SALES, "Sales", "false", "1"], [SUPPORT, "Support", "false", "0"]])
        head, rows = table(self.ok("members", "list", "--group-name", "Sales", "--output=table"))
        self.assertEqual(head, ["ID", "PHONE_NUMBER", "NAME"])
        self.assertEqual(rows, [[memberships(SALES)[0]["id"], PHONES[1]["number"],
                                 PHONES[1]["name"]]])
        head, rows = table(self.ok("numbers", "find", PHONES[0]["number"], "--output", "table"))
        self.assertEqual(head, ["ID", "NUMBER", "NAME", "NUMBER_TYPE"])
        self.assertEqual(rows, [[PHONES[0]["id"], PHONES[0]["number"], PHONES[0]["name"],
                                 "longcode"]])
        # Columns line up, counting characters (not bytes) in "Zürich Büro ☎".
        out = self.ok("numbers", "list", "-o", "table", "--page-size", "3").stdout.splitlines()
        self.assertEqual(len(out), len(PHONES) + 1)
        self.assertEqual(len({line.index(" +") for line in out[1:]}), 1)
        starts = {line.index("longcode") if "longcode" in line else line.index("toll-free")
                  for line in out[1:]}
        self.assertEqual(len(starts), 1)
        self.fails("invalid_argument", "groups", "list", "-o", "xml")

    def test_server_text_is_escaped_for_the_terminal(self):
        evil = "Evil\x1b[2J\x1b]0;pwned\x07 \u009b31m\u202eloot\\"
        body = json.dumps(dict(id=SALES, name=evil, sticky_sender=False, phone_number_count=0))
        for fmt in ("table", "json"):
            with self.subTest(fmt=fmt):
                SPACE.fault("body", body=body, operation="retrieve_number_group")
                p = self.ok("groups", "get", SALES, "-o", fmt)
                for raw in ("\x1b", "\x07", "\u009b", "\u202e"):
                    self.assertNotIn(raw, p.stdout)
                if fmt == "table":
                    self.assertIn(r"Evil\x1b[2J\x1b]0;pwned\x07 \u009b31m\u202eloot\\", p.stdout)
                else:
                    self.assertEqual(json.loads(p.stdout)["name"], evil)
        # Messages from the server on stderr, for every command.
        for args in (["groups", "get", SALES], ["create-membership", SALES, PHONES[0]["id"]]):
            with self.subTest(args=args):
                SPACE.fault("status", status=500, body=json.dumps({"error": "bad\x1b[2J\u009b"}))
                p = run(*args)
                self.assertEqual(p.returncode, 7, p.stderr)
                self.assertNotIn("\x1b", p.stderr)
                self.assertNotIn("\u009b", p.stderr)
                # The core already replaced them (U+FFFD); the command would
                # escape any that got through.
                self.assertIn("bad\ufffd[2J\ufffd", p.stderr)
        SPACE.fault("status", status=422, body=json.dumps({"errors": [dict(
            detail="d\x1b[1m", status="422", title="t", code="c\x07")]}))
        p = run("create-membership", SALES, PHONES[0]["id"])
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertIn("  - c\ufffd: d\ufffd[1m", p.stderr)
        self.assertNotIn("\x1b", p.stderr)

    def test_output_that_cannot_be_written_is_an_error(self):
        env = dict(os.environ, SIGNALWIRE_API_TOKEN=TOKEN, SIGNALWIRE_REST_BASE_URL=BASE)
        with open("/dev/full", "w") as full:
            p = subprocess.run([SWNG, "numbers", "list"], env=env, stdout=full,
                               stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("cannot write the output", p.stderr)

    # ---------------------------------------------- usage and bad input

    def test_bad_ids_and_usage_exit_2_and_send_nothing(self):
        SPACE.clear_journal()
        cases = [
            ["groups", "get", "not-a-uuid"],
            ["groups", "update", "not-a-uuid", "--name", "x"],
            ["groups", "delete", SALES + "/x"],
            ["members", "list", "not-a-uuid"],
            ["members", "add", "not-a-uuid", PHONES[0]["id"]],
            ["members", "add", "not-a-uuid", PHONES[0]["number"]],
            ["members", "add", SALES, "not-a-uuid"],
            ["members", "add", SALES, "15551230001"],       # no '+': an id, and not a UUID
            ["members", "add", SALES, "+0123"],             # not E.164
            ["members", "remove", "not-a-uuid", PHONES[0]["number"]],
            ["members", "remove", SALES, "not-a-uuid"],
            ["numbers", "get", "not-a-uuid"],
            ["numbers", "find", "15551230001"],
            ["groups", "create", ""],
            ["groups", "list", "--page-size", "1001"],
            ["groups", "list", "--page-size", "-1"],
            ["groups", "list", "--page-size", "ten"],
            ["groups", "get", "--group-name", ""],
            ["groups", "get", "--group-name", "a\tb"],
            # usage
            ["groups"], ["groups", "frobnicate"], ["frobnicate", "list"],
            ["groups", "get"], ["groups", "get", SALES, SUPPORT],
            ["groups", "get", "--group-name", "Sales", SALES],
            ["members", "add", SALES], ["numbers", "list", "extra"],
            ["groups", "update", SALES],                              # --name is required
            ["groups", "update", SALES, "--name", "x", "--sticky-sender", "--no-sticky-sender"],
            ["groups", "get", SALES, "--ignore-existing"],            # not its flag
            ["numbers", "find", "--group-name", "Sales", "+15551230001"],
            ["groups", "list", "--name"],                             # needs a value
            ["groups", "list", "--bogus"],
            ["create-membership", "--group-name", "Sales", PHONES[0]["id"]],
            ["create-membership", SALES, PHONES[0]["number"]],       # no resolution there
        ]
        for args in cases:
            with self.subTest(args=args):
                p = self.fails("invalid_argument", *args)
                self.assertNotIn("Try 'swng --help'.\nTry", p.stderr)
        self.assertEqual(SPACE.journal(), [])
        # The library's checks, not "unknown command".
        for args, says in ((cases[0], "id must be a UUID"),
                           (cases[5], "number_group_id must be a UUID"),
                           (cases[6], "phone_number_id must be a UUID"),
                           (cases[8], "e164 must be an E.164 number"),
                           (cases[12], "e164 must be an E.164 number"),
                           (cases[14], "--page-size must be"),
                           (cases[16], "--page-size: not a number")):
            with self.subTest(args=args):
                self.assertIn(says, run(*args).stderr)
        self.assertEqual(SPACE.journal(), [])

    def test_messages_name_the_flags(self):
        p = run("groups", "list", "--page-size", "5000")
        self.assertIn("--page-size", p.stderr)
        p = run("groups", "get", "--group-name", "a\nb")
        self.assertRegex(p.stderr, r"^swng: --group-name ")
        p = run("groups", "update", SALES, "--name", "a\x01")
        self.assertRegex(p.stderr, r"^swng: --name ")
        p = run("groups", "update", SALES)
        self.assertIn("--name NAME", p.stderr)
        p = run("groups", "get")
        self.assertIn("GROUP", p.stderr)
        p = run("members", "add", "--group-name", "Sales")
        self.assertIn("NUMBER", p.stderr)

    # ---------------------------------------------------- the old alias

    def test_create_membership_alias_unchanged(self):
        p = self.ok("create-membership", SALES, PHONES[6]["id"])
        m = json.loads(p.stdout)
        self.assertEqual(memberships(SALES)[0]["id"], m["id"])
        self.assertEqual(m["phone_number"]["id"], PHONES[6]["id"])
        p = self.fails("validation", "create-membership", SALES, PHONES[6]["id"])
        self.assertIn("already_member", p.stderr)
        self.assertEqual(self.fails("invalid_argument", "create-membership", SALES).stderr,
                         "swng: create-membership needs NUMBER_GROUP_ID PHONE_NUMBER_ID\n"
                         "Try 'swng --help'.\n")
        self.assertIn("number_group_id", run("create-membership", "not-a-uuid", "x").stderr)


if __name__ == "__main__":
    unittest.main(verbosity=1)
