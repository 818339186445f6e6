"""The number-group family through swng.Client: every operation against the
emulated space's state, lazy paging (and hostile paging), the find helpers,
remove_number, create_membership(if_exists=...), query escaping, ids and
text refused before sending, argument types and a closed client."""

from __future__ import annotations

import uuid
from typing import Any, Callable, Dict, Iterator, List
from urllib.parse import parse_qs, urlsplit

import pytest

import swng
from swng import swng_core as core
from spaceclient import Space

SALES = "41148420-0549-49cf-924c-e4a320c8c1e9"
SUPPORT = "b179e269-2584-4943-9632-557e345ffb17"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
API = "/api/relay/rest"


def query(entry: Dict[str, Any]) -> Dict[str, List[str]]:
    """A journal entry's query, decoded as the server decodes it."""
    return parse_qs(urlsplit(entry["path"]).query, keep_blank_values=True)


def path(entry: Dict[str, Any]) -> str:
    return urlsplit(entry["path"]).path


def same(a: Any, b: Any) -> bool:
    """The same resource (results compare their response's request id too)."""
    return type(a) is type(b) and a.to_dict() == b.to_dict()


@pytest.fixture
def filled(client: swng.Client, fixture_data: Dict[str, Any]) -> List[swng.Membership]:
    """Sales with the first 5 fixture numbers in it (in that order)."""
    return [client.create_membership(SALES, n["id"]) for n in fixture_data["phone_numbers"][:5]]


# ------------------------------------------------------------ number groups

def test_list_number_groups(client: swng.Client, space: Space) -> None:
    it = client.list_number_groups()
    assert space.journal() == []  # lazy: nothing sent yet
    groups = list(it)
    assert [(g.id, g.name, g.sticky_sender, g.phone_number_count) for g in groups] == [
        (g["id"], g["name"], g["sticky_sender"], g["phone_number_count"])
        for g in space.number_groups()]
    assert all(type(g) is swng.NumberGroup for g in groups)
    [req] = space.journal()
    assert req["method"] == "GET" and path(req) == API + "/number_groups"
    assert query(req) == {}  # no filter, no page_size: the server's default
    assert groups[0].request_id == req["request_id"] and groups[0].http_status == 200
    assert groups[0].to_dict() == space.number_groups()[0]


def test_list_number_groups_filter(client: swng.Client, space: Space) -> None:
    client.create_number_group("Sales East")
    assert [g.name for g in client.list_number_groups(name="sales")] == ["Sales", "Sales East"]
    assert query(space.journal()[-1])["filter_name"] == ["sales"]
    assert list(client.list_number_groups(name="nothing like it")) == []


def test_create_get_number_group(client: swng.Client, space: Space) -> None:
    g = client.create_number_group("Night shift", sticky_sender=True)
    req = space.journal()[-1]
    assert req["method"] == "POST" and path(req) == API + "/number_groups"
    stored = next(s for s in space.number_groups() if s["id"] == g.id)
    assert (g.name, g.sticky_sender, g.phone_number_count) == ("Night shift", True, 0)
    assert g.to_dict() == stored
    assert g.request_id == req["request_id"]
    got = client.get_number_group(uuid.UUID(g.id))
    assert same(got, g) and got.to_dict() == stored
    assert path(space.journal()[-1]) == API + "/number_groups/" + g.id
    assert client.create_number_group("Day shift").sticky_sender is False


def test_update_number_group(client: swng.Client, space: Space) -> None:
    g = client.create_number_group("Old", sticky_sender=True)
    u = client.update_number_group(g.id, "New")
    req = space.journal()[-1]
    assert req["method"] == "PUT" and path(req) == API + "/number_groups/" + g.id
    assert '"sticky_sender"' not in req["body"]  # None: left unchanged, not sent
    assert (u.id, u.name, u.sticky_sender) == (g.id, "New", True)
    u = client.update_number_group(g.id, "New", sticky_sender=False)
    assert u.sticky_sender is False
    assert next(s for s in space.number_groups() if s["id"] == g.id) == u.to_dict()


def test_delete_number_group(client: swng.Client, space: Space) -> None:
    g = client.create_number_group("Temporary")
    assert client.delete_number_group(g.id) is None
    req = space.journal()[-1]
    assert (req["method"], path(req), req["status"]) == ("DELETE", API + "/number_groups/" + g.id,
                                                        204)
    assert g.id not in [s["id"] for s in space.number_groups()]
    with pytest.raises(swng.NotFoundError):
        client.get_number_group(g.id)
    with pytest.raises(swng.NotFoundError):
        client.delete_number_group(g.id)


def test_group_lifecycle(client: swng.Client, space: Space,
                         fixture_data: Dict[str, Any]) -> None:
    g = client.create_number_group("Lifecycle")
    assert client.get_number_group(g.id).name == "Lifecycle"
    g = client.update_number_group(g.id, "Lifecycle 2", sticky_sender=True)
    assert (g.name, g.sticky_sender) == ("Lifecycle 2", True)
    three = fixture_data["phone_numbers"][:3]
    added = [client.create_membership(g.id, n["id"]) for n in three]
    assert client.get_number_group(g.id).phone_number_count == 3
    listed = list(client.list_memberships(g.id, page_size=2))
    assert [m.id for m in listed] == [m.id for m in added]
    assert [m.phone_number.number for m in listed] == [n["number"] for n in three]
    assert client.remove_number(g.id, three[1]["id"]) is None
    assert [m.phone_number.id for m in client.list_memberships(g.id)] == [three[0]["id"],
                                                                         three[2]["id"]]
    assert sorted(m["id"] for m in space.memberships()) == sorted([added[0].id, added[2].id])
    client.delete_number_group(g.id)
    assert space.memberships() == []  # the group's memberships went with it
    assert g.id not in [s["id"] for s in space.number_groups()]


# ------------------------------------------------------------- memberships

def test_list_memberships(client: swng.Client, space: Space,
                          filled: List[swng.Membership]) -> None:
    space.clear_journal()
    it = client.list_memberships(SALES)
    assert space.journal() == []
    listed = list(it)
    assert [m.to_dict() for m in listed] == [m.to_dict() for m in filled]
    assert [m.to_dict() for m in listed] == space.memberships()
    [req] = space.journal()
    assert path(req) == API + "/number_groups/%s/number_group_memberships" % SALES
    assert list(client.list_memberships(SUPPORT)) == []


def test_get_and_delete_membership(client: swng.Client, space: Space,
                                   filled: List[swng.Membership]) -> None:
    m = client.get_membership(filled[2].id)
    assert path(space.journal()[-1]) == API + "/number_group_memberships/" + filled[2].id
    assert same(m, filled[2]) and m.to_dict() == space.memberships()[2]
    assert m.existed is False
    assert client.delete_membership(uuid.UUID(m.id)) is None
    req = space.journal()[-1]
    assert (req["method"], req["status"]) == ("DELETE", 204)
    assert m.id not in [s["id"] for s in space.memberships()]
    with pytest.raises(swng.NotFoundError):
        client.get_membership(m.id)
    with pytest.raises(swng.NotFoundError):
        client.delete_membership(m.id)


def test_remove_number(client: swng.Client, space: Space, filled: List[swng.Membership],
                       fixture_data: Dict[str, Any]) -> None:
    target = filled[3].phone_number.id
    assert target is not None
    client.remove_number(SALES, target)
    assert [m["phone_number"]["id"] for m in space.memberships()] == [
        n["id"] for i, n in enumerate(fixture_data["phone_numbers"][:5]) if i != 3]
    deletes = [r for r in space.journal() if r["method"] == "DELETE"]
    assert [path(r) for r in deletes] == [API + "/number_group_memberships/" + filled[3].id]
    with pytest.raises(swng.NotFoundError):  # no longer in the group
        client.remove_number(SALES, target)
    with pytest.raises(swng.NotFoundError):  # never in that group
        client.remove_number(SUPPORT, filled[0].phone_number.id or "")


def test_create_membership_if_exists(client: swng.Client, space: Space, phone_id: str) -> None:
    first = client.create_membership(SALES, phone_id, if_exists="return")
    assert first.existed is False
    with pytest.raises(swng.ValidationError) as info:  # the default is "error"
        client.create_membership(SALES, phone_id)
    assert [i.code for i in info.value.errors] == ["already_member"]
    with pytest.raises(swng.ValidationError):
        client.create_membership(SALES, phone_id, if_exists="error")
    again = client.create_membership(SALES, phone_id, if_exists="return")
    assert again.existed is True
    assert (again.id, again.number_group_id, again.phone_number.id) == (first.id, SALES, phone_id)
    assert again.to_dict() == first.to_dict()
    assert len(space.memberships()) == 1


def test_create_membership_if_exists_other_422(client: swng.Client, space: Space) -> None:
    with pytest.raises(swng.ValidationError) as info:
        client.create_membership(SALES, UNKNOWN, if_exists="return")
    assert [i.code for i in info.value.errors] == ["phone_number_not_found"]
    assert space.memberships() == []


@pytest.mark.parametrize("bad", ["", "Return", "ignore", "error\x00"])
def test_create_membership_bad_if_exists(client: swng.Client, space: Space, phone_id: str,
                                         bad: str) -> None:
    with pytest.raises(swng.InvalidArgument) as info:
        client.create_membership(SALES, phone_id, if_exists=bad)
    assert info.value.option == "if_exists" and info.value.code == "invalid_argument"
    assert space.journal() == []


# ----------------------------------------------------------- phone numbers

def test_list_phone_numbers(client: swng.Client, space: Space,
                            fixture_data: Dict[str, Any]) -> None:
    got = list(client.list_phone_numbers())
    assert [(p.id, p.name, p.number, list(p.capabilities)) for p in got] == [
        (n["id"], n["name"], n["number"], n["capabilities"]) for n in fixture_data["phone_numbers"]]
    assert len(space.journal()) == 2  # 67 numbers, the server's default of 50 a page
    assert got[0].number_type == got[0].to_dict()["number_type"] == "longcode"
    assert got[0].to_dict()["call_receive_mode"] == "voice"


def test_list_phone_numbers_filters(client: swng.Client, space: Space,
                                    zurich: Dict[str, Any]) -> None:
    [z] = client.list_phone_numbers(name="zürich")
    assert (z.id, z.name) == (zurich["id"], "Zürich Büro ☎")
    assert query(space.journal()[-1])["filter_name"] == ["zürich"]
    # A substring on the server: +1555400001 is in +15554000010 .. +15554000019.
    got = [p.number for p in client.list_phone_numbers(number="+1555400001")]
    assert got == ["+155540000%d" % i for i in range(10, 20)]
    both = list(client.list_phone_numbers(number="+1555", name="main"))
    assert [p.name for p in both] == ["Main line"]


def test_get_phone_number(client: swng.Client, space: Space, zurich: Dict[str, Any]) -> None:
    p = client.get_phone_number(uuid.UUID(zurich["id"]))
    req = space.journal()[-1]
    assert path(req) == API + "/phone_numbers/" + zurich["id"]
    assert (p.id, p.name, p.number, p.capabilities) == (
        zurich["id"], zurich["name"], zurich["number"], tuple(zurich["capabilities"]))
    assert p.http_status == 200 and p.request_id == req["request_id"]
    assert p.to_dict()["country_code"] and p.created_at == p.to_dict()["created_at"]
    with pytest.raises(swng.NotFoundError):
        client.get_phone_number(UNKNOWN)


def test_find_phone_number(client: swng.Client, space: Space,
                           fixture_data: Dict[str, Any]) -> None:
    main = fixture_data["phone_numbers"][0]
    p = client.find_phone_number(main["number"])
    assert (p.id, p.number, p.name) == (main["id"], main["number"], "Main line")
    # "+" reaches the server as "+" (escaped as %2B, not taken for a space).
    req = space.journal()[-1]
    assert "%2B15551230001" in req["path"]
    assert query(req)["filter_number"] == [main["number"]]
    # Exact, not substring: +15554000001 is also in no other number, but
    # +1555400001 is a substring of ten numbers and equal to none.
    assert client.find_phone_number("+15554000001").number == "+15554000001"
    with pytest.raises(swng.NotFoundError):
        client.find_phone_number("+1555400001")
    with pytest.raises(swng.NotFoundError):
        client.find_phone_number("+19999999999")


@pytest.mark.parametrize("bad", ["", "15551230001", "+", "+0123", "+1", "+1234567890123456",
                                 "+1555 123", "+1555-1230001", "+1555\n", "+1555\x00",
                                 "+1555123000a", "＋15551230001"])
def test_find_phone_number_not_e164(client: swng.Client, space: Space, bad: str) -> None:
    with pytest.raises(swng.InvalidArgument) as info:
        client.find_phone_number(bad)
    assert info.value.option == "e164"
    assert space.journal() == []


# -------------------------------------------------------------- find group

def test_find_number_group(client: swng.Client, space: Space) -> None:
    client.create_number_group("Sales East")
    g = client.find_number_group("Sales")  # "Sales East" matches the filter too
    assert (g.id, g.name) == (SALES, "Sales")
    assert query(space.journal()[-1])["filter_name"] == ["Sales"]
    with pytest.raises(swng.NotFoundError):
        client.find_number_group("Sal")  # a substring is not a name
    with pytest.raises(swng.NotFoundError):
        client.find_number_group("sales")  # nor another case
    with pytest.raises(swng.NotFoundError):
        client.find_number_group("Nobody")


def test_find_number_group_ambiguous(client: swng.Client) -> None:
    a = client.create_number_group("Twin")
    b = client.create_number_group("Twin")
    with pytest.raises(swng.AmbiguousError) as info:
        client.find_number_group("Twin")
    e = info.value
    assert e.code == core.swng_status_name(core.SWNG_EAMBIGUOUS) == "ambiguous"
    assert "2" in e.message
    client.delete_number_group(b.id)
    assert client.find_number_group("Twin").id == a.id


def test_find_number_group_across_pages(client: swng.Client, space: Space) -> None:
    for i in range(60):
        client.create_number_group("Bulk %02d" % i)
    target = client.create_number_group("Bulk")  # the exact one comes last
    space.clear_journal()
    assert client.find_number_group("Bulk").id == target.id
    assert len(space.journal()) == 2  # 61 matches: every page was read


def test_query_escaping(client: swng.Client, space: Space) -> None:
    name = "A&B ?#=%"
    g = client.create_number_group(name)
    client.create_number_group("A")  # what a cut at "&" would find
    assert client.find_number_group(name).id == g.id
    req = space.journal()[-1]
    assert query(req) == {"filter_name": [name]}
    assert [x.id for x in client.list_number_groups(name=name)] == [g.id]
    assert query(space.journal()[-1]) == {"filter_name": [name]}
    # Path-like text in a filter is a value, escaped, not a path.
    assert list(client.list_number_groups(name="../x?#")) == []
    assert path(space.journal()[-1]) == API + "/number_groups"
    got = [p.number for p in client.list_phone_numbers(number="+1555123")]
    assert got == ["+15551230001", "+15551230003"]
    assert query(space.journal()[-1])["filter_number"] == ["+1555123"]


# ------------------------------------------------------------------ paging

def test_paging_page_size_one(client: swng.Client, space: Space,
                              fixture_data: Dict[str, Any]) -> None:
    got = [p.id for p in client.list_phone_numbers(page_size=1)]
    assert got == [n["id"] for n in fixture_data["phone_numbers"]]
    journal = space.journal()
    assert len(journal) == 67
    assert all(query(r)["page_size"] == ["1"] for r in journal)
    # Each page after the first follows the server's links.next as given.
    assert "page_token" not in query(journal[0]) and "page_token" in query(journal[1])


@pytest.mark.parametrize("size,pages", [(67, 1), (66, 2), (10, 7), (1000, 1), (50, 2)])
def test_paging_sizes(client: swng.Client, space: Space, fixture_data: Dict[str, Any],
                      size: int, pages: int) -> None:
    got = list(client.list_phone_numbers(page_size=size))
    assert len(got) == len(fixture_data["phone_numbers"]) == 67
    assert len({p.id for p in got}) == 67
    assert len(space.journal()) == pages


def test_paging_exactly_page_size(client: swng.Client, space: Space) -> None:
    assert len(list(client.list_number_groups(page_size=2))) == 2
    assert len(space.journal()) == 1  # no next link: no second request


def test_paging_memberships(client: swng.Client, space: Space,
                            filled: List[swng.Membership]) -> None:
    space.clear_journal()
    assert [m.id for m in client.list_memberships(SALES, page_size=2)] == [m.id for m in filled]
    assert len(space.journal()) == 3


def test_paging_is_lazy(client: swng.Client, space: Space) -> None:
    it = client.list_phone_numbers(page_size=10)
    assert space.journal() == []
    first = next(it)
    assert len(space.journal()) == 1
    for _ in range(9):
        next(it)
    assert len(space.journal()) == 1  # the first page is not used up yet
    assert next(it).id != first.id
    assert len(space.journal()) == 2
    del it  # dropping an iterator sends nothing either
    assert len(space.journal()) == 2
    assert next(client.list_number_groups()).id == SALES


def test_paging_relative_links(client: swng.Client, space: Space,
                               fixture_data: Dict[str, Any]) -> None:
    space.paging("relative")
    got = [p.id for p in client.list_phone_numbers(page_size=20)]
    assert got == [n["id"] for n in fixture_data["phone_numbers"]]
    assert len(space.journal()) == 4


@pytest.mark.parametrize("mode,params,items,requests", [
    # A next link that leaves the space or the list: refused, nothing sent.
    ("foreign_host", {}, 0, 1),
    ("foreign_scheme", {}, 0, 1),
    ("foreign_path", {}, 0, 1),
    ("foreign_path", {"path": API + "/number_groups/x"}, 0, 1),
    # A cycle back to the first page, or to the page itself. The page that
    # carries the bad link breaks the contract: its items are not used. The
    # first page's links.first is not the URL the core built for it, so it
    # is read once more before its own next link is recognised.
    ("cycle", {}, 2, 3),
    ("cycle", {"to": "self"}, 1, 2),
    # Empty pages with a next link forever: bounded.
    ("endless_empty", {}, 2, 2 + core.SWNG_MAX_EMPTY_PAGES + 1),
])
def test_hostile_paging(client: swng.Client, space: Space, mode: str, params: Dict[str, Any],
                        items: int, requests: int) -> None:
    space.paging(mode, **params)
    got: List[swng.NumberGroup] = []
    with pytest.raises(swng.ProtocolError) as info:
        for g in client.list_number_groups(page_size=1):
            got.append(g)
    assert len(got) == items
    assert info.value.code == "protocol"
    assert len(space.journal()) == requests


def test_hostile_paging_foreign_host_gets_nothing(client: swng.Client, space: Space,
                                                  filled: List[swng.Membership]) -> None:
    space.clear_journal()
    # A second origin on the space's own port: if anything were sent there,
    # the journal would show it (or the connection would fail instead of a
    # ProtocolError).
    space.paging("foreign_host", origin="http://127.0.0.2:%d" % space.port)
    it = client.list_memberships(SALES, page_size=1)
    with pytest.raises(swng.ProtocolError) as info:
        list(it)
    assert "another host" in info.value.message
    assert len(space.journal()) == 1
    assert list(it) == []  # the iteration is over
    space.paging("foreign_host", operation="list_phone_numbers")
    assert len(list(client.list_number_groups(page_size=1))) == 2  # other lists page normally
    with pytest.raises(swng.ProtocolError):
        next(client.list_phone_numbers(page_size=1))


def test_paging_retries_like_a_get(space: Space) -> None:
    with swng.Client(project_id=space.project_id, token=space.token, base_url=space.base_url,
                     max_retries=1, retry_base=0.01) as c:
        it = c.list_phone_numbers(page_size=50)
        next(it)
        space.fault("status", status=503, operation="list_phone_numbers")
        assert len(list(it)) == 66
    assert [r["status"] for r in space.journal()] == [200, 503, 200]


# ----------------------------------------------- arguments refused early

BAD_IDS = ["../x", "?", "#", "a\r\nb", "a\nb", "a\x00b", "", "..", "%2e%2e",
           "41148420-0549-49cf-924c-e4a320c8c1e9/x", "41148420-0549-49cf-924c-e4a320c8c1e9?a=1",
           "41148420-0549-49cf-924c-e4a320c8c1e9#x", "41148420-0549-49cf-924c-e4a320c8c1e9\x00"]

# Every argument that goes into a path (or a body as an id): (name, call).
ID_CALLS: List[Any] = [
    ("id", lambda c, x: c.get_number_group(x)),
    ("id", lambda c, x: c.update_number_group(x, "n")),
    ("id", lambda c, x: c.delete_number_group(x)),
    ("number_group_id", lambda c, x: c.list_memberships(x)),
    ("number_group_id", lambda c, x: c.create_membership(x, UNKNOWN)),
    ("phone_number_id", lambda c, x: c.create_membership(SALES, x)),
    ("number_group_id", lambda c, x: c.create_membership(x, UNKNOWN, if_exists="return")),
    ("phone_number_id", lambda c, x: c.create_membership(SALES, x, if_exists="return")),
    ("id", lambda c, x: c.get_membership(x)),
    ("id", lambda c, x: c.delete_membership(x)),
    ("number_group_id", lambda c, x: c.remove_number(x, UNKNOWN)),
    ("phone_number_id", lambda c, x: c.remove_number(SALES, x)),
    ("id", lambda c, x: c.get_phone_number(x)),
]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("name,call", ID_CALLS)
def test_bad_ids(client: swng.Client, space: Space, name: str,
                 call: Callable[[swng.Client, str], Any], bad: str) -> None:
    with pytest.raises(swng.InvalidArgument) as info:
        call(client, bad)  # at once, even for a (lazy) list
    assert info.value.option == name, info.value.message
    assert space.journal() == []


# Every text argument: a query value or a body field.
TEXT_CALLS: List[Any] = [
    ("name", lambda c, x: c.list_number_groups(name=x)),
    ("number", lambda c, x: c.list_phone_numbers(number=x)),
    ("name", lambda c, x: c.list_phone_numbers(name=x)),
    ("name", lambda c, x: c.find_number_group(x)),
    ("name", lambda c, x: c.create_number_group(x)),
    ("name", lambda c, x: c.update_number_group(SALES, x)),
    ("e164", lambda c, x: c.find_phone_number(x)),
]


@pytest.mark.parametrize("bad", ["a\r\nb", "a\nb", "a\x00b", "\x00", "a\x7fb", "a\udcffb"])
@pytest.mark.parametrize("name,call", TEXT_CALLS)
def test_bad_text(client: swng.Client, space: Space, name: str,
                  call: Callable[[swng.Client, str], Any], bad: str) -> None:
    with pytest.raises(swng.InvalidArgument) as info:
        call(client, bad)
    assert info.value.option == name, info.value.message
    assert space.journal() == []


@pytest.mark.parametrize("size", [-1, 1001, 2 ** 31, 2 ** 31 - 1, -2 ** 31 - 1, 10 ** 30])
@pytest.mark.parametrize("call", [
    lambda c, n: c.list_number_groups(page_size=n),
    lambda c, n: c.list_memberships(SALES, page_size=n),
    lambda c, n: c.list_phone_numbers(page_size=n),
])
def test_bad_page_size(client: swng.Client, space: Space,
                       call: Callable[[swng.Client, int], Any], size: int) -> None:
    with pytest.raises(swng.InvalidArgument) as info:
        call(client, size)
    assert info.value.option == "page_size"
    assert space.journal() == []


# --------------------------------------------------------------- types

TYPE_CASES: List[Any] = [
    # (method, arguments, the argument to replace, bad values)
    ("list_number_groups", {"name": None, "page_size": None}, "name", [b"x", 1]),
    ("list_number_groups", {"name": None, "page_size": None}, "page_size",
     [True, False, "5", 5.0, b"5"]),
    ("create_number_group", {"name": "n"}, "name", [None, b"n", 1]),
    ("create_number_group", {"name": "n", "sticky_sender": False}, "sticky_sender",
     [None, 1, 0, "true"]),
    ("get_number_group", {"id": SALES}, "id", [None, b"x", 1]),
    ("update_number_group", {"id": SALES, "name": "n"}, "id", [None, b"x"]),
    ("update_number_group", {"id": SALES, "name": "n"}, "name", [None, b"n"]),
    ("update_number_group", {"id": SALES, "name": "n", "sticky_sender": None}, "sticky_sender",
     [1, 0, "false"]),
    ("delete_number_group", {"id": SALES}, "id", [None, b"x", 1]),
    ("find_number_group", {"name": "n"}, "name", [None, b"n", 1]),
    ("list_memberships", {"number_group_id": SALES}, "number_group_id", [None, b"x", 1]),
    ("list_memberships", {"number_group_id": SALES, "page_size": None}, "page_size",
     [True, "1", 1.5]),
    ("create_membership", {"number_group_id": SALES, "phone_number_id": UNKNOWN},
     "number_group_id", [None, b"x"]),
    ("create_membership", {"number_group_id": SALES, "phone_number_id": UNKNOWN},
     "phone_number_id", [None, b"x"]),
    ("create_membership", {"number_group_id": SALES, "phone_number_id": UNKNOWN,
                           "if_exists": "error"}, "if_exists", [None, True, 1, b"return"]),
    ("get_membership", {"id": SALES}, "id", [None, b"x"]),
    ("delete_membership", {"id": SALES}, "id", [None, b"x"]),
    ("remove_number", {"number_group_id": SALES, "phone_number_id": UNKNOWN},
     "number_group_id", [None, b"x"]),
    ("remove_number", {"number_group_id": SALES, "phone_number_id": UNKNOWN},
     "phone_number_id", [None, b"x"]),
    ("list_phone_numbers", {}, "number", [b"+1", 1]),
    ("list_phone_numbers", {}, "name", [b"x", 1]),
    ("list_phone_numbers", {}, "page_size", [True, "1"]),
    ("get_phone_number", {"id": SALES}, "id", [None, b"x"]),
    ("find_phone_number", {"e164": "+15551230001"}, "e164", [None, b"+15551230001", 15551230001]),
]


@pytest.mark.parametrize("method,args,arg,bads", TYPE_CASES)
def test_bad_types(client: swng.Client, space: Space, method: str, args: Dict[str, Any],
                   arg: str, bads: List[Any]) -> None:
    for bad in bads:
        with pytest.raises(TypeError, match=arg):
            getattr(client, method)(**dict(args, **{arg: bad}))
    assert space.journal() == []


# ----------------------------------------------------------- a closed client

CLOSED_CALLS: List[Any] = [
    lambda c: c.list_number_groups(),
    lambda c: c.create_number_group("n"),
    lambda c: c.get_number_group(SALES),
    lambda c: c.update_number_group(SALES, "n"),
    lambda c: c.delete_number_group(SALES),
    lambda c: c.find_number_group("Sales"),
    lambda c: c.list_memberships(SALES),
    lambda c: c.create_membership(SALES, UNKNOWN, if_exists="return"),
    lambda c: c.get_membership(SALES),
    lambda c: c.delete_membership(SALES),
    lambda c: c.remove_number(SALES, UNKNOWN),
    lambda c: c.list_phone_numbers(),
    lambda c: c.get_phone_number(SALES),
    lambda c: c.find_phone_number("+15551230001"),
]


@pytest.mark.parametrize("call", CLOSED_CALLS)
def test_closed_client(space: Space, call: Callable[[swng.Client], Any]) -> None:
    c = swng.Client(project_id=space.project_id, token=space.token, base_url=space.base_url)
    c.close()
    with pytest.raises(swng.ClosedError):
        call(c)
    assert space.journal() == []


def test_closed_client_stops_iterators(space: Space) -> None:
    c = swng.Client(project_id=space.project_id, token=space.token, base_url=space.base_url)
    unstarted = c.list_number_groups()
    started = c.list_phone_numbers(page_size=2)
    next(started)
    c.close()
    # The cursors point at the C client: after close() they are not used.
    with pytest.raises(swng.ClosedError):
        next(unstarted)
    with pytest.raises(swng.ClosedError):
        next(started)
    assert len(space.journal()) == 1
    with pytest.raises(StopIteration):  # a generator that raised is over
        next(started)
