"""Set up and run the Tornado Lab course with nothing but Python 3.11+ and pip.

    python3 course.py lab      # create/reuse .venv, check the setup, open JupyterLab
    python3 course.py test     # create/reuse .venv, run every test (pytest + nbval)

Also: ``setup`` (install only), ``doctor`` (setup check), ``grade PATH...`` (grade exercise
notebooks or a folder of submissions), ``exercises`` (regenerate the learner copies from the
solutions) and ``notebooks`` (re-run the lessons and store their outputs, for authors).
Extra arguments go to jupyter lab, pytest or the grader.
On Windows type ``py course.py lab``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"
INPUTS = ("requirements.txt", "pyproject.toml")


def _fingerprint() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name in INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def setup() -> None:
    """Create .venv and install the pinned requirements, unless they are already installed."""
    if sys.version_info < (3, 11):
        sys.exit(f"Tornado Lab needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if STAMP.exists() and STAMP.read_text() == _fingerprint() and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"Creating {VENV.name} with Python {sys.version.split()[0]} ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing the course's pinned packages (a minute or two the first time) ...", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(ROOT / "requirements.txt"), "-e", str(ROOT)], check=True)
    STAMP.write_text(_fingerprint())


def run(*command: str, cwd: Path | None = ROOT) -> int:
    """Run a command from .venv (by default in the course folder) and return its exit status."""
    return subprocess.call([str(BIN / command[0]), *command[1:]], cwd=cwd)


def lab_arguments(root: Path = ROOT) -> list[str]:
    """What ``lab`` passes to JupyterLab: loopback only; the course folder as the root, so that the
    lessons' links to ../exercises/ open; the file browser starting in notebooks/."""
    return ["--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}", "--LabApp.default_url=/lab/tree/notebooks"]


def main(argv: list[str]) -> int:
    """Dispatch one of the commands in the module docstring."""
    if not argv or argv[0] not in {"lab", "test", "setup", "doctor", "grade", "exercises", "notebooks"}:
        print(__doc__)
        return 2
    command, extra = argv[0], argv[1:]
    setup()
    if command == "lab":
        run("python", "-m", "labsupport", "doctor")
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers often run as root; Jupyter refuses by default
            print("Running as root: starting JupyterLab with --allow-root.", flush=True)
            extra = ["--allow-root", *extra]
        return run("jupyter", "lab", *lab_arguments(), *extra)
    if command == "test":
        return run("python", "-m", "pytest", *extra)
    if command in ("doctor", "grade", "exercises"):  # grade: paths are relative to where you are
        return run("python", "-m", "labsupport", command, *extra, cwd=None if command == "grade" else ROOT)
    if command == "notebooks":
        lessons = extra or sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("[0-9][0-9]*-*.ipynb"))
        return run("jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                   "--ExecutePreprocessor.timeout=120", *lessons)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
    except subprocess.CalledProcessError as exc:
        sys.exit(f"Setting up failed ({exc}). Check your network access to PyPI, then run the command again.")
