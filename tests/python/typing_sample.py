"""Checked by `mypy --strict` (ctest python_mypy) against the installed
package: the public API is fully typed. Not a pytest module."""

from __future__ import annotations

import uuid
from typing import Dict, Iterator, List, Optional, Tuple, Type

import swng


def add(client: swng.Client, group: str, number: uuid.UUID) -> Tuple[str, Optional[str]]:
    m: swng.Membership = client.create_membership(group, number)
    phone: swng.PhoneNumber = m.phone_number
    caps: Tuple[str, ...] = phone.capabilities
    fields: Dict[str, object] = m.to_dict()
    status: int = m.http_status
    assert caps is not None and fields and status
    return m.id, phone.name


def family(client: swng.Client) -> List[str]:
    group: swng.NumberGroup = client.find_number_group("Sales")
    count: Optional[int] = group.phone_number_count
    number: swng.PhoneNumber = client.find_phone_number("+15551230001")
    assert number.id is not None
    m = client.create_membership(group.id, number.id, if_exists="return")
    existed: bool = m.existed
    members: Iterator[swng.Membership] = client.list_memberships(uuid.UUID(group.id), page_size=10)
    names = [x.phone_number.number or "" for x in members]
    client.remove_number(group.id, number.id)
    g2 = client.update_number_group(group.id, "Sales", sticky_sender=None)
    groups: List[swng.NumberGroup] = list(client.list_number_groups(name="Sa"))
    numbers: Iterator[swng.PhoneNumber] = client.list_phone_numbers(number="+1555", name=None)
    client.delete_number_group(client.create_number_group("x", True).id)
    try:
        client.get_membership(m.id)
        client.delete_membership(m.id)
        client.get_phone_number(number.id)
        client.get_number_group(g2.id)
    except swng.AmbiguousError as e:
        names.append(e.code)
    assert existed in (True, False) and count != -1
    return names + [g.name for g in groups] + [n.id or "" for n in numbers]


def describe(e: swng.Error) -> str:
    code: str = e.code
    http: Optional[int] = e.http_status
    items: List[Tuple[Optional[str], Optional[str]]] = [(i.code, i.detail) for i in e.errors]
    after: Optional[int] = e.retry_after
    rid: Optional[str] = e.request_id
    return "%s %s %s %s %s %s" % (code, http, items, after, rid, e.message)


async def add_async(group: str, phone: str) -> List[str]:
    """The same with swng.AsyncClient: coroutines and async iterators."""
    async with swng.AsyncClient("example", "project", "token", timeout=5.0) as client:
        m: swng.Membership = await client.create_membership(group, phone, if_exists="return")
        existed: bool = m.existed
        g: swng.NumberGroup = await client.get_number_group(m.number_group_id)
        numbers: List[str] = [x.phone_number.number or "" async for x in
                              client.list_memberships(g.id, page_size=10)]
        p: swng.PhoneNumber = await client.find_phone_number("+15551230001")
        await client.remove_number(g.id, p.id or "")
        try:
            await client.delete_membership(m.id)
        except swng.CancelledError as e:
            print(describe(e))
        plan: swng.SyncResult = await client.sync_memberships(
            g.id, [phone, uuid.uuid4()], dry_run=False, concurrency=4,
            progress=lambda done, total: None)
        failures: List[swng.Error] = plan.failures
        to_add: List[str] = plan.to_add
        closed: bool = client.closed
        print(existed, closed, failures, to_add, plan.kept, plan.removed)
    await client.aclose()
    return numbers


def main() -> None:
    version: str = swng.__version__
    kinds: List[Type[swng.Error]] = [swng.InvalidArgument, swng.TimeoutError, swng.ClosedError]
    with swng.Client("example", "project", "token", timeout=5.0, connect_timeout=2,
                     max_retries=1, headers={"X-Trace": "1"}, ca_file=None) as client:
        try:
            print(add(client, "41148420-0549-49cf-924c-e4a320c8c1e9", uuid.uuid4()))
        except swng.RateLimitError as e:
            print(e.retry_after)
        except tuple(kinds) as e:
            print(describe(e))
        except swng.Error as e:
            print(describe(e))
    print(version, client.base_url, client.project_id, client.closed)


if __name__ == "__main__":
    main()
