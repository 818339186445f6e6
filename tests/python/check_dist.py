#!/usr/bin/env python3
"""Packaging as a user or a package index sees it: an sdist of the source
tree, then a wheel built from that sdist alone (so a file the sdist forgot
fails here), then the wheel installed into a fresh venv and imported from
outside the source tree. Run by ctest (python_dist) with the test venv's
Python, which has `build`.

    check_dist.py --source SRC --work DIR
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import zipfile


def run(cmd, **kw):
    print("+ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    dist = os.path.join(work, "dist")

    # Offline (see setup_venv.py): no index, build requirements from the venv.
    offline = os.environ.get("SWNG_PYTHON_OFFLINE", "") not in ("", "0")
    no_index = ["--no-index", "--no-build-isolation"] if offline else []
    run([sys.executable, "-m", "build", "--sdist", "--outdir", dist]
        + (["--no-isolation"] if offline else []) + [args.source])
    sdists = glob.glob(os.path.join(dist, "swng-*.tar.gz"))
    assert len(sdists) == 1, sdists

    # The wheel comes from the unpacked sdist, not from the checkout.
    run([sys.executable, "-m", "pip", "--disable-pip-version-check", "wheel", "--no-deps",
         *no_index, "-w", dist, sdists[0]])
    wheels = glob.glob(os.path.join(dist, "swng-*.whl"))
    assert len(wheels) == 1, wheels
    names = zipfile.ZipFile(wheels[0]).namelist()
    for want in ("swng/__init__.py", "swng/py.typed", "swng/swng_core.py"):
        assert want in names, (want, names)
    assert any(n.startswith("swng/_swng_core") and n.endswith(".so") for n in names), names

    venv = os.path.join(work, "venv")
    run([sys.executable, "-m", "venv", venv])
    py = os.path.join(venv, "bin", "python")
    run([py, "-m", "pip", "--disable-pip-version-check", "install", "--no-index", wheels[0]])
    out = subprocess.run([py, "-c", "import swng; print(swng.__version__, swng.__file__)"],
                         cwd=work, check=True, capture_output=True, text=True).stdout
    print(out, end="")
    assert os.path.realpath(venv) in os.path.realpath(out.split()[1]), out
    print("check_dist: sdist -> wheel -> install ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
