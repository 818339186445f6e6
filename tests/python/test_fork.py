"""A Client used before fork() and then in parent and child at once
(multiprocessing's fork start method, as gunicorn --preload and Celery do):
each process gets its own answers, over its own connection."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any, Dict

import swng

CALLS = 30


def _calls(client: swng.Client, phone_id: str) -> int:
    """How many of CALLS gets of phone_id did not come back as that number."""
    bad = 0
    for _ in range(CALLS):
        try:
            if client.get_phone_number(phone_id).id != phone_id:
                bad += 1
        except swng.Error:
            bad += 1
    return bad


def test_parent_and_child_get_their_own_answers(client: swng.Client,
                                                fixture_data: Dict[str, Any]) -> None:
    mine = fixture_data["phone_numbers"][0]["id"]
    theirs = fixture_data["phone_numbers"][1]["id"]
    # A kept-alive connection exists before the fork.
    assert client.get_phone_number(mine).id == mine
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=lambda: os._exit(min(_calls(client, theirs), 100)))
    child.start()
    bad = _calls(client, mine)
    child.join(60)
    assert child.exitcode == 0, "the child got %s wrong or failed answers" % child.exitcode
    assert bad == 0
    # The parent's client still works afterwards.
    assert client.get_phone_number(mine).id == mine
