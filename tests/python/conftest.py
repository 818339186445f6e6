"""Fixtures for the Python tests: the emulated SignalWire space and clients.

These tests run against the *installed* swng package (ctest pip-installs it
into a venv and runs pytest from a directory outside the source tree).
A skipped test fails the run: nothing may pass by not running.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, Iterator, List

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "space"))

from spaceclient import Space, start_space  # noqa: E402

import swng  # noqa: E402


# ------------------------------------------------------- no silent skips

_not_run: List[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _not_run.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _not_run and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _not_run:
        terminalreporter.write_line(
            "FAILED: %d test(s) skipped or xfailed; a test that did not run is not a pass: %s"
            % (len(_not_run), ", ".join(_not_run)), red=True)


# ------------------------------------------------------------- the space

@pytest.fixture(scope="session")
def _space_server() -> Iterator[Space]:
    with start_space() as space:
        yield space


@pytest.fixture
def space(_space_server: Space) -> Space:
    """The emulated space, reset (no memberships, journal or faults) for each test."""
    _space_server.reset()
    return _space_server


@pytest.fixture
def fixture_data(space: Space) -> Dict[str, Any]:
    return space.fixture


@pytest.fixture
def group_id(fixture_data: Dict[str, Any]) -> str:
    return str(fixture_data["number_groups"][0]["id"])


@pytest.fixture
def phone_id(fixture_data: Dict[str, Any]) -> str:
    """The "Main line" number."""
    return str(fixture_data["phone_numbers"][0]["id"])


@pytest.fixture
def zurich(fixture_data: Dict[str, Any]) -> Dict[str, Any]:
    """The fixture's number with a non-ASCII name."""
    return next(n for n in fixture_data["phone_numbers"] if n["name"] == "Zürich Büro ☎")


@pytest.fixture
def client(space: Space) -> Iterator[swng.Client]:
    with swng.Client(project_id=space.project_id, token=space.token,
                     base_url=space.base_url, timeout=10) as c:
        yield c


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SIGNALWIRE_* variables from the caller's environment: tests that
    want them set them with monkeypatch."""
    for name in ("SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN", "SIGNALWIRE_SPACE",
                 "SIGNALWIRE_REST_BASE_URL", "SIGNALWIRE_REST_CA_FILE"):
        monkeypatch.delenv(name, raising=False)
