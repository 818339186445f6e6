#!/usr/bin/env python3
"""Make the Python test venv: pip-install swng from the SOURCE tree, as a user
would (`pip install .`), plus pytest and mypy. Run by ctest (python_venv).

    setup_venv.py --venv DIR --source SRC [--build-dir DIR]

Environment:
    SWNG_PYTHON_OFFLINE=1  no package index: the venv sees the system's site
                           packages (pytest, mypy, build, scikit-build-core must be
                           installed there) and swng is built with
                           --no-build-isolation --no-index.
"""

import argparse
import os
import subprocess
import sys


def run(cmd):
    print("+ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--build-dir", help="scikit-build-core build dir, kept between runs")
    args = ap.parse_args()
    offline = os.environ.get("SWNG_PYTHON_OFFLINE", "") not in ("", "0")

    py = os.path.join(args.venv, "bin", "python")
    if not os.path.exists(py):
        cmd = [sys.executable, "-m", "venv"]
        if offline:
            cmd.append("--system-site-packages")
        run(cmd + [args.venv])

    pip = [py, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    if offline:
        pip_install = pip + ["install", "--no-index", "--no-build-isolation"]
    else:
        pip_install = pip + ["install"]
        run(pip_install + ["pytest>=7", "mypy>=1.0", "build>=1.0"])

    # Always rebuild and reinstall: the source may have changed.
    cmd = pip_install + ["--force-reinstall", "--no-deps", "-v", args.source]
    if args.build_dir:
        cmd.append("--config-settings=build-dir=" + os.path.abspath(args.build_dir))
    run(cmd)
    run([py, "-c", "import swng, sys; print('installed swng', swng.__version__, 'at', swng.__file__)"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
