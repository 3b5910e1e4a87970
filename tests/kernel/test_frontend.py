"""Tests for labsupport.kernel.frontend: live displays in JupyterLab, stable text under nbval and elsewhere."""

from __future__ import annotations

import pytest

from labsupport.kernel.frontend import live_front_end

from ..kernels import Kernel

ASK = "import labsupport\nfrom labsupport.kernel.frontend import live_front_end\nprint(live_front_end())"


@pytest.fixture
def kernel(monkeypatch):
    monkeypatch.delenv("LABSUPPORT_LIVE", raising=False)  # the kernel inherits the environment
    k = Kernel()
    yield k
    k.shutdown(now=True)


def run_without_cell_id(kernel: Kernel, code: str) -> str:
    """Run a cell the way nbval does: an execute request with no cellId in its metadata."""
    msg_id, out = kernel.client.execute(code), []
    while True:
        reply = kernel.client.get_iopub_msg(timeout=30)
        if reply["parent_header"].get("msg_id") != msg_id:
            continue
        if reply["msg_type"] == "stream":
            out.append(reply["content"]["text"])
        elif reply["msg_type"] == "error":
            raise AssertionError(f"cell failed: {reply['content']['evalue']}")
        elif reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
            return "".join(out)


def test_a_cell_with_a_cell_id_is_live_and_one_without_is_not(kernel):
    assert kernel.run(ASK) == "True\n"  # JupyterLab sends a cellId
    assert run_without_cell_id(kernel, ASK) == "False\n"  # nbval and nbconvert do not
    assert kernel.run(ASK) == "True\n"


def test_code_a_jupyterlab_cell_scheduled_stays_live_after_the_cell_ends(kernel):
    kernel.run(ASK)
    kernel.run("import asyncio\nseen = []\n"
               "asyncio.get_running_loop().call_later(0.2, lambda: seen.append(live_front_end()))")
    assert run_without_cell_id(kernel, "import time; time.sleep(0.1)\nawait asyncio.sleep(0.3)\nprint(seen)") \
        == "[True]\n"  # the callback belongs to the cell that scheduled it, not to the one running


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("0", False), ("", False), ("yes", False)])
def test_the_environment_forces_the_answer_outside_a_kernel(monkeypatch, value, expected):
    monkeypatch.setenv("LABSUPPORT_LIVE", value)
    assert live_front_end() is expected


def test_the_environment_overrides_what_the_request_says(monkeypatch):
    monkeypatch.setenv("LABSUPPORT_LIVE", "0")
    k = Kernel()
    try:
        assert k.run(ASK) == "False\n"
    finally:
        k.shutdown(now=True)
