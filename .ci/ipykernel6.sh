#!/usr/bin/env bash
# Runs the kernel-level tests and lessons 01-02 on ipykernel 6 (the main .venv has requirements.txt's 7.x).
#
#   bash .ci/ipykernel6.sh            # create/reuse .venv-ipykernel6, then run the tests
#   bash .ci/ipykernel6.sh -k idle    # extra arguments go to pytest
#   bash .ci/ipykernel6.sh --setup-only   # only create/reuse the venv (.ci/run does it in the background)
#
# The venv holds requirements.txt's pins, minus what these tests never import (SKIP below), with
# .ci/ipykernel6.txt's lines in place of the pins of the same packages, plus `-e .` (labsupport).
# Like course.py, it is reused while its inputs (this script, the two pin files, pyproject.toml,
# the Python version) are unchanged. Exit status: pytest's.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON3=${PYTHON3:-python3}
VENV=.venv-ipykernel6
STAMP=$VENV/.installed
OVERRIDES=.ci/ipykernel6.txt
# Pins the kernel tests and lessons 01-02 do not need (the JupyterLab server, the to-do app's
# database stack, the browser tests, load()'s progress bar).
SKIP="jupyterlab jupyter-server-proxy sqlalchemy aiosqlite asyncpg playwright tqdm ipywidgets"
TESTS=(tests/servers/test_in_a_kernel.py tests/kernel/test_extension.py notebooks/01-meet-the-event-loop.ipynb notebooks/02-write-your-first-server.ipynb notebooks/02a-avoid-deadlocking-your-own-server.ipynb)

started=$SECONDS
python_version=$("$PYTHON3" -c 'import sys; print(sys.version)')
fingerprint=$({ echo "$python_version"; cat .ci/ipykernel6.sh requirements.txt "$OVERRIDES" pyproject.toml; } |
              sha256sum | cut -d' ' -f1)

if [[ -x $VENV/bin/python && -f $STAMP && $(cat "$STAMP") == "$fingerprint" ]]; then
    echo "Reusing $VENV (its inputs have not changed)."
else
    if [[ -x $VENV/bin/python && $("$VENV/bin/python" -c 'import sys; print(sys.version)') != "$python_version" ]]; then
        echo "$VENV has another Python than $PYTHON3: making it anew."
        rm -rf "$VENV"
    fi
    if [[ ! -x $VENV/bin/python ]]; then
        echo "Creating $VENV with $("$PYTHON3" --version) ..."
        "$PYTHON3" -m venv "$VENV"
    fi
    rm -f "$STAMP"
    # requirements.txt without SKIP, each pin named in $OVERRIDES replaced by that line.
    "$PYTHON3" - "$OVERRIDES" "$SKIP" >"$VENV/requirements.txt" <<'EOF'
import re, sys
def name(line):
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return re.sub(r"[-_.]+", "-", match.group(1)).lower() if match else None
def pins(path):
    lines = (line.split("#", 1)[0].strip() for line in open(path))
    return {name(line): line for line in lines if line}
overrides, skip = pins(sys.argv[1]), {name(n) for n in sys.argv[2].split()}
for package, line in pins("requirements.txt").items():
    if package not in skip:
        print(overrides.pop(package, line))
print(*overrides.values(), sep="\n")
EOF
    echo "Installing into $VENV: $(grep -c . "$VENV/requirements.txt") pins ($OVERRIDES in place of the course's own) and -e . ..."
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$VENV/requirements.txt" -e .
    echo "$fingerprint" >"$STAMP"
fi
echo "Set up in $((SECONDS - started)) s."
if [[ ${1:-} == --setup-only ]]; then
    exit 0
fi

# The tests start kernelspec 'python3' (tests/kernels.py, nbval --nbval-current-env): make sure it is this venv's.
"$VENV/bin/python" -c 'import sys
from jupyter_client.manager import KernelManager
cmd = KernelManager(kernel_name="python3").format_kernel_cmd()
sys.exit(0 if cmd[0] == sys.executable else f"kernelspec python3 starts {cmd[0]}, not {sys.executable}; check JUPYTER_PATH and ~/.local/share/jupyter/kernels")'

versions=$("$VENV/bin/python" -c 'from importlib.metadata import version as v
print(", ".join(f"{n} {v(n)}" for n in ("ipykernel", "ipython", "jupyter-client", "pyzmq", "tornado")))')
echo "Testing with $versions"
status=0
"$VENV/bin/python" -m pytest "${TESTS[@]}" "$@" || status=$?
echo "ipykernel 6 run: ${versions%%,*}: $([[ $status == 0 ]] && echo passed || echo "FAILED (pytest exit $status)") in $((SECONDS - started)) s in all."
exit $status
