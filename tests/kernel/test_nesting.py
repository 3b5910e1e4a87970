"""Tests for labsupport.kernel.nesting. nest_asyncio patches asyncio for good, so runs go in subprocesses."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from labsupport.kernel import nesting
SCRIPT = textwrap.dedent("""
    import asyncio, labsupport
    async def main():
        try:
            asyncio.run(asyncio.sleep(0))
        except RuntimeError as exc:
            print("before:", exc)
        print(labsupport.allow_nested_loops())
        print(labsupport.allow_nested_loops())
        print("nested:", asyncio.run(asyncio.sleep(0, result="ok")), labsupport.nested_loops_allowed())
    asyncio.run(main())
""")


def test_allow_nested_loops_lets_asyncio_run_reenter_the_running_loop():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60).stdout
    lines = out.splitlines()
    assert lines[0] == "before: asyncio.run() cannot be called from a running event loop"
    package = "nest_asyncio" if sys.version_info < (3, 12) else "nest_asyncio2"
    assert lines[1].startswith(f"{package} ") and lines[1].endswith(" applied")
    assert lines[2].endswith("already applied")
    assert lines[3] == "nested: ok True"


@pytest.mark.parametrize("version, module", [((3, 11, 7), "nest_asyncio"), ((3, 12, 1), "nest_asyncio2"),
                                             ((3, 13, 0), "nest_asyncio2")])
def test_the_maintained_fork_is_used_from_python_3_12(monkeypatch, version, module):
    monkeypatch.setattr(nesting.sys, "version_info", version)
    assert nesting._module_name() == module


def test_a_missing_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, nesting._module_name(), None)  # import now raises ImportError
    with pytest.raises(ImportError, match="is not installed in this environment.*requirements.txt"):
        nesting.allow_nested_loops()
