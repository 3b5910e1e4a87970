"""Servers started from cells of a real ipykernel, driven through jupyter_client like JupyterLab."""

from __future__ import annotations

import json
import urllib.request

import psutil
import pytest

from ..conftest import refused
from ..kernels import Kernel
from .test_processes import gone

SERVE_CELL = """
import json, tornado.web, labsupport
class HelloHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("hello from the kernel")
server = labsupport.serve(tornado.web.Application([(r"/", HelloHandler)]), name=NAME)
print(json.dumps({"port": server.port, "running": len(labsupport.running())}))
"""


def get(port: int) -> str:
    return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode()


@pytest.fixture
def kernel():
    k = Kernel()
    yield k
    if k.manager.is_alive():
        k.shutdown(now=True)


def test_server_answers_while_the_kernel_is_idle_and_rerun_replaces_it(kernel):
    first = kernel.run_json(SERVE_CELL.replace("NAME", "'hello'"), cell_id="cell-a")
    # The cell has finished: the kernel is idle, and the server must still answer.
    assert get(first["port"]) == "hello from the kernel"
    again = kernel.run_json(SERVE_CELL.replace("NAME", "'hello'"), cell_id="cell-a")
    assert again["running"] == 1 and refused(first["port"])
    assert get(again["port"]) == "hello from the kernel"


def test_rerunning_a_cell_under_a_new_name_still_replaces_its_server(kernel):
    first = kernel.run_json(SERVE_CELL.replace("NAME", "'before'"), cell_id="cell-b")
    renamed = kernel.run_json(SERVE_CELL.replace("NAME", "'after'"), cell_id="cell-b")
    assert renamed["running"] == 1 and refused(first["port"])
    other_cell = kernel.run_json(SERVE_CELL.replace("NAME", "'other'"), cell_id="cell-c")
    assert other_cell["running"] == 2  # a different cell and name: both live


TWO_SERVERS_CELL = """
import json, tornado.web, labsupport
class UpstreamHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("upstream")
class FrontHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("front")
upstream = labsupport.serve(tornado.web.Application([(r"/", UpstreamHandler)]))
front = labsupport.serve(tornado.web.Application([(r"/", FrontHandler)]))
print(json.dumps({"ports": [upstream.port, front.port], "running": len(labsupport.running())}))
"""


def test_servers_started_by_one_run_of_a_cell_all_stay_and_a_rerun_replaces_them_all(kernel):
    first = kernel.run_json(TWO_SERVERS_CELL, cell_id="cell-two")
    assert first["running"] == 2
    assert [get(port) for port in first["ports"]] == ["upstream", "front"]
    again = kernel.run_json(TWO_SERVERS_CELL, cell_id="cell-two")
    assert again["running"] == 2 and all(refused(port) for port in first["ports"])
    assert [get(port) for port in again["ports"]] == ["upstream", "front"]


def test_one_run_serving_one_name_twice_keeps_both_under_numbered_names(kernel):
    cell = SERVE_CELL.replace("NAME", "'twin'") + SERVE_CELL.replace("NAME", "'twin'")
    out = kernel.run(cell, cell_id="cell-twins")
    names = kernel.run_json("print(json.dumps(sorted(s.name for s in labsupport.running())))")
    assert names == ["twin", "twin-2"], out


EXERCISE_04_UPSTREAM = """
import tornado.httpclient, tornado.web, labsupport
class ProxyHandler(tornado.web.RequestHandler):
    def initialize(self, upstream):
        self.upstream = upstream
    async def get(self):
        response = await tornado.httpclient.AsyncHTTPClient().fetch(self.upstream)
        self.write(response.body)
await labsupport.check("unblock-the-upstream", ProxyHandler)
"""


def test_a_check_that_starts_two_servers_passes_with_a_cell_id(kernel):
    """JupyterLab marked exercise 04's right answer wrong: the check's second server stopped its first."""
    assert "unblock-the-upstream passed" in kernel.run(EXERCISE_04_UPSTREAM, cell_id="cell-ex04")


def test_a_check_in_the_cell_that_served_leaves_the_learners_server_alone(kernel):
    cell = SERVE_CELL.replace("NAME", "'mine'") + EXERCISE_04_UPSTREAM
    out = kernel.run(cell, cell_id="cell-mine")
    assert "unblock-the-upstream passed" in out
    mine = json.loads(out.splitlines()[0])
    assert get(mine["port"]) == "hello from the kernel"
    names = kernel.run_json("print(json.dumps([s.name for s in labsupport.running()]))")
    assert names == ["mine"]  # the check's own servers are gone, the learner's stays


LATE_SERVER_CELL = """
import asyncio, tornado.web, labsupport
class LateHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("late")
asyncio.get_running_loop().call_later(0.5, labsupport.serve, tornado.web.Application([(r"/", LateHandler)]))
"""
NAMES = "print(json.dumps(sorted(s.name for s in labsupport.running())))"


def test_a_server_started_after_its_cell_ended_belongs_to_that_cell(kernel):
    """ipykernel 6 only remembers the last request: without the extension's note, another cell got it."""
    kernel.run("import json, labsupport")
    kernel.run(LATE_SERVER_CELL, cell_id="cell-late")
    kernel.run("import time; time.sleep(0.1)\nawait asyncio.sleep(1)", cell_id="cell-other")  # serve() runs now
    assert kernel.run_json(NAMES) == ["LateHandler"]
    kernel.run(SERVE_CELL.replace("NAME", "'other'"), cell_id="cell-other")  # re-running the other cell ...
    assert kernel.run_json(NAMES) == ["LateHandler", "other"]  # ... leaves the late server alone
    kernel.run("labsupport.stop('other')\n" + SERVE_CELL.replace("NAME", "'again'"), cell_id="cell-late")
    assert kernel.run_json(NAMES) == ["again"]  # re-running its own cell replaces it


@pytest.mark.parametrize("now", [False, True], ids=["shutdown", "killed"])
def test_kernel_shutdown_closes_ports_and_ends_server_processes(kernel, now):
    served = kernel.run_json(SERVE_CELL.replace("NAME", "'hello'"))
    proc = kernel.run_json("proc = labsupport.serve_process('tests.apps:make_pool_app')\n"
                           "import urllib.request\n"
                           "pids = json.loads(urllib.request.urlopen(proc.url, timeout=10).read())\n"
                           "print(json.dumps({'port': proc.port, 'pids': [proc.pid, pids['server'], *pids['workers']]}))")
    assert all(psutil.pid_exists(pid) for pid in proc["pids"])
    kernel.shutdown(now=now)  # now=True kills the kernel: no atexit, the supervisor must notice
    assert refused(served["port"])
    assert gone(proc["pids"]), f"left behind: {[p for p in proc['pids'] if psutil.pid_exists(p)]}"
    assert refused(proc["port"])


def test_learner_errors_show_as_one_line(kernel):
    kernel.run("import labsupport")
    content = {"code": "labsupport.serve('not an app')", "silent": False}
    msg_id = kernel.client.execute(content["code"])
    while True:
        reply = kernel.client.get_iopub_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id and reply["msg_type"] == "error":
            break
    assert reply["content"]["ename"] == "ServeError"
    assert len(reply["content"]["traceback"]) == 1  # the message alone, no internals
    assert "needs a tornado.web.Application, not str" in reply["content"]["traceback"][0]


def test_a_failed_blocking_client_in_a_cell_leaves_the_kernel_working(kernel):
    """Tornado's HTTPClient fails in a cell; on Python 3.13.0-3.13.2 it also took the kernel's loop."""
    out = kernel.run("import labsupport\nfrom tornado.httpclient import HTTPClient\n"
                     "try:\n    HTTPClient().fetch('http://127.0.0.1:9/')\n"
                     "except RuntimeError as exc:\n    print('refused:', exc)")
    assert out.startswith("refused: Cannot run the event loop while another loop is running")
    assert kernel.run("import asyncio\nawait asyncio.sleep(0)\nprint('still working')") == "still working\n"


NAP_CELL = """
import asyncio, time, tornado.web, labsupport, httpx
class NapHandler(tornado.web.RequestHandler):
    def get(self):
        time.sleep(0.3)
        self.write("rested")
nap = labsupport.serve(tornado.web.Application([(r"/nap", NapHandler)]))
client = httpx.AsyncClient(timeout=5)
"""


def test_serve_starts_the_watchdog_and_its_report_shows_under_the_cell_that_waited(kernel):
    kernel.run(NAP_CELL)
    out = kernel.run("await client.get(nap.url + 'nap')\nawait asyncio.sleep(0.1)", streams=("stdout", "stderr"))
    assert "WARNING labsupport.watchdog: the event loop was blocked for" in out, out
    assert "by time.sleep in NapHandler.get (Cell In[" in out and "], line 4)" in out, out  # IPython drops the leading blank line
    quiet = kernel.run("import time\ntime.sleep(0.3)\nawait asyncio.sleep(0.1)", streams=("stdout", "stderr"))
    assert "watchdog" not in quiet  # the cell's own code: the learner knows it is busy
