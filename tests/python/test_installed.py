"""The package under test is the installed one, and it is complete; the
example program works against the emulated space."""

from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import sys
from typing import Any, Dict

import swng
from swng import swng_core as core
from spaceclient import Space

from conftest import SOURCE_DIR

EXAMPLE = os.path.join(SOURCE_DIR, "examples", "python", "create_membership.py")


def test_installed_package_is_tested() -> None:
    pkg = os.path.realpath(os.path.dirname(swng.__file__))
    prefix = os.path.realpath(sys.prefix)
    assert sys.prefix != sys.base_prefix, "pytest must run inside the test venv"
    assert pkg.startswith(prefix + os.sep), "swng imported from %s, not from %s" % (pkg, prefix)
    # Not the source package (the venv itself may live in a build folder
    # inside the checkout, so compare with the package folder, not the tree).
    assert pkg != os.path.realpath(os.path.join(SOURCE_DIR, "python", "swng"))
    assert "site-packages" in pkg.split(os.sep), pkg
    assert os.path.realpath(os.path.dirname(core.__file__)) == pkg


def test_package_contents() -> None:
    pkg = os.path.dirname(swng.__file__)
    names = set(os.listdir(pkg))
    assert {"__init__.py", "py.typed", "swng_core.py", "swng_core.pyi"} <= names
    assert any(re.match(r"_swng_core\..*so$", n) for n in names), names


def test_versions_agree() -> None:
    with open(os.path.join(SOURCE_DIR, "core", "include", "swng.h"), encoding="utf-8") as f:
        header = re.search(r'#define SWNG_VERSION "([^"]+)"', f.read())
    assert header is not None
    assert swng.__version__ == core.swng_version() == header.group(1)
    assert importlib.metadata.version("swng") == swng.__version__


def test_core_is_linked_in() -> None:
    """The extension carries the core itself: it needs no libswng.so."""
    ext = next(os.path.join(os.path.dirname(swng.__file__), n)
               for n in os.listdir(os.path.dirname(swng.__file__)) if n.startswith("_swng_core."))
    with open("/proc/self/maps", encoding="utf-8") as f:
        maps = f.read()
    assert os.path.realpath(ext) in maps
    assert "libswng.so" not in maps


def test_public_names() -> None:
    for name in swng.__all__:
        assert hasattr(swng, name), name
        obj = getattr(swng, name)
        if isinstance(obj, type):
            assert obj.__module__ == "swng"
    # Every exception class generated from the core's status table is
    # public (a new status code needs no hand edit to be catchable).
    from swng import _errors
    for cls in _errors._CLASSES:
        assert cls.__name__ in swng.__all__ and getattr(swng, cls.__name__) is cls, cls
        assert cls.__name__ in _errors.__all__, cls


def run_example(space: Space, *args: str) -> "subprocess.CompletedProcess[str]":
    env = dict(os.environ)
    env.update(SIGNALWIRE_PROJECT_ID=space.project_id, SIGNALWIRE_API_TOKEN=space.token,
               SIGNALWIRE_REST_BASE_URL=space.base_url, PYTHONIOENCODING="utf-8")
    env.pop("SIGNALWIRE_SPACE", None)
    # Run from a neutral directory: the example must find the installed swng.
    return subprocess.run([sys.executable, EXAMPLE, *args], env=env, cwd=os.path.dirname(EXAMPLE),
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


def test_example(space: Space, group_id: str, zurich: Dict[str, Any]) -> None:
    r = run_example(space, group_id, zurich["id"])
    assert r.returncode == 0, r.stderr
    membership = space.memberships()[0]
    assert "membership %s" % membership["id"] in r.stdout
    assert "Zürich Büro ☎" in r.stdout
    # Again: the number is already in the group.
    r = run_example(space, group_id, zurich["id"])
    assert r.returncode == 1
    assert "validation, HTTP 422" in r.stderr and "already_member" in r.stderr
    assert space.token not in r.stderr + r.stdout


def test_example_bad_argument(space: Space, group_id: str) -> None:
    r = run_example(space, group_id, "not-a-uuid")
    assert r.returncode == 2
    assert "phone_number_id" in r.stderr
    assert space.journal() == []
    assert run_example(space).returncode == 2
