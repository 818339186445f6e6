"""The Python side of swng's contract tests: the same line protocol as
contract_c.c (see there), over the `swng` Python module.

    in:  ID OPERATION BASE_URL PROJECT_ID TOKEN HEADERS ARG...
    out: ID CODE HTTP KIND ITEM_COUNT ITEM_CODE MESSAGE [NAME=VALUE...]

OPERATIONS below has one row per operation: how many ARGs it takes, how to
call the client, and the NAME=VALUE fields of its result. KIND is the class
of the result: "Membership", "NumberGroup", "PhoneNumber", "list" (a list
generator read to its end: count=N ids=ID,...), "NoneType" (the deletes,
HTTP "-") or the exception's class name, which
run_contract.py checks against the code (swng.NotFoundError for
"not_found", ...). Run by run_contract.py with PYTHONPATH pointing at the
build tree's package (<build>/python) or inside a venv where swng is installed.
"""

import sys

import swng


def membership_fields(m):
    m.to_dict()  # the body parses as JSON
    for cap in m.phone_number.capabilities:
        str(cap)
    return [("id", m.id), ("number_group_id", m.number_group_id),
            ("phone_number.id", m.phone_number.id),
            ("phone_number.capabilities", len(m.phone_number.capabilities)),
            ("created_at", m.created_at)]


def membership_ex_fields(m):
    if not isinstance(m.existed, bool):
        raise TypeError("existed is not a bool")
    return membership_fields(m) + [("existed", int(m.existed))]


def group_fields(g):
    g.to_dict()
    if not isinstance(g.sticky_sender, bool):
        raise TypeError("sticky_sender is not a bool")
    return [("id", g.id), ("name", g.name), ("sticky_sender", int(g.sticky_sender)),
            ("phone_number_count", -1 if g.phone_number_count is None
             else g.phone_number_count)]


def phone_fields(p):
    p.to_dict()
    return [("id", p.id), ("number", p.number), ("name", p.name),
            ("capabilities", len(p.capabilities))]


class Listed(list):
    """A list read to its end (lists are generators): answers count and ids."""
    http_status = "-"


def list_fields(items):
    return [("count", len(items)), ("ids", ",".join(i.id for i in items))]


class Done:
    """A call that returns None (the deletes): answers no field, HTTP "-"."""
    http_status = "-"


def done(value):
    if value is not None:
        raise TypeError("expected None, got %r" % (value,))
    return Done()


def opt(a):
    """An optional argument: "-" is "not given"."""
    return None if a == "-" else a


def opt_int(a):
    return None if a == "-" else int(a)


def opt_bool(a):
    return None if a == "-" else a == "1"


# name: (number of ARGs, call(client, args), fields(result), KIND or None
# for the class name). Arguments "-" are left out (the defaults).
OPERATIONS = {
    "create_membership": (2, lambda client, a: client.create_membership(a[0], a[1]),
                          membership_fields),
    "create_membership_if_exists": (
        3, lambda c, a: c.create_membership(a[0], a[1], if_exists=a[2]), membership_ex_fields),
    "list_number_groups": (
        2, lambda c, a: Listed(c.list_number_groups(name=opt(a[0]), page_size=opt_int(a[1]))),
        list_fields),
    "create_number_group": (
        2, lambda c, a: c.create_number_group(a[0]) if a[1] == "-" else
        c.create_number_group(a[0], sticky_sender=a[1] == "1"), group_fields),
    "get_number_group": (1, lambda c, a: c.get_number_group(a[0]), group_fields),
    "update_number_group": (
        3, lambda c, a: c.update_number_group(a[0], a[1], sticky_sender=opt_bool(a[2])),
        group_fields),
    "delete_number_group": (1, lambda c, a: done(c.delete_number_group(a[0])), None),
    "find_number_group": (1, lambda c, a: c.find_number_group(a[0]), group_fields),
    "list_memberships": (
        2, lambda c, a: Listed(c.list_memberships(a[0], page_size=opt_int(a[1]))),
        list_fields),
    "get_membership": (1, lambda c, a: c.get_membership(a[0]), membership_fields),
    "delete_membership": (1, lambda c, a: done(c.delete_membership(a[0])), None),
    "remove_number": (2, lambda c, a: done(c.remove_number(a[0], a[1])), None),
    "list_phone_numbers": (
        3, lambda c, a: Listed(c.list_phone_numbers(number=opt(a[0]), name=opt(a[1]),
                                                    page_size=opt_int(a[2]))), list_fields),
    "get_phone_number": (1, lambda c, a: c.get_phone_number(a[0]), phone_fields),
    "find_phone_number": (1, lambda c, a: c.find_phone_number(a[0]), phone_fields),
}


def clean(value):
    return "" if value is None else str(value).replace("\t", " ").replace("\n", " ").replace("\r", " ")


def main():
    clients = {}
    out = sys.stdout
    for line in sys.stdin:
        line = line.rstrip("\r\n")
        if line == "quit":
            break
        f = line.split("\t")
        op = OPERATIONS.get(f[1]) if len(f) > 1 else None
        if op is None:
            print("contract_test.py: unknown operation %r" % (f[1:2],), file=sys.stderr)
            return 2
        nargs, call, result_fields = op
        if len(f) != 6 + nargs:
            print("contract_test.py: bad case line for %s (%d fields)" % (f[1], len(f)),
                  file=sys.stderr)
            return 2
        case_id, _op, base_url, project, token, headers = f[:6]
        key = (base_url, project, token, headers)
        try:
            client = clients.get(key)
            if client is None:
                hdrs = {}
                for h in filter(None, headers.split("|")):
                    name, _, value = h.partition(":")
                    hdrs[name.strip()] = value.strip()
                client = swng.Client(project_id=project or None, token=token or None,
                                     base_url=base_url or None, headers=hdrs or None,
                                     timeout=30)
                clients[key] = client
            result = call(client, f[6:])
        except swng.Error as e:
            if not isinstance(e.errors, tuple):
                raise TypeError("errors is not a tuple")
            for item in e.errors:  # every field readable, strings or None
                for v in (item.detail, item.status, item.title, item.code):
                    if v is not None and not isinstance(v, str):
                        raise TypeError("item field %r is not a str" % (v,))
            str(e), repr(e)
            fields = [case_id, e.code, e.http_status or 0, type(e).__name__,
                      len(e.errors), e.errors[0].code if e.errors else "", e.message]
        else:
            kind = {Listed: "list", Done: "NoneType"}.get(type(result), type(result).__name__)
            fields = [case_id, "ok", result.http_status, kind, 0, "", ""]
            fields += ["%s=%s" % (k, clean(v)) for k, v in (result_fields(result)
                                                             if result_fields else [])]
        out.write("\t".join(clean(x) for x in fields) + "\n")
        out.flush()
    for client in clients.values():
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
