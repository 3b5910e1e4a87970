"""More wrong answers for lesson 12's checks, beyond the one per requirement in wrong_answers/<task>/.

Each is another likely mistake, with the words its hint must contain; and whatever the answer
does, the check leaves no server listening.
"""

from __future__ import annotations

import psutil
import pytest

import labsupport
from labsupport import CheckFailed

from ..conftest import run
from .test_checks import answers


def server(options: str, *, then: str = "") -> str:
    return f'''
def make_server(app):
    server = HTTPServer(app, {options})
    {then}
    return server
'''


def drain(body: str) -> str:
    return "async def drain(server, app, timeout):\n" + "".join(f"    {line}\n" for line in body.strip().splitlines())


MISTAKES = [
    # a network where Tornado compares strings: the CDN's addresses match nothing
    ("trust-the-proxy", server('xheaders=True, trusted_downstream=["10.0.0.0/8"]'),
     "holds a network, but Tornado compares each address with `in`"),
    # one string, not a list: Tornado makes a set of its characters
    ("trust-the-proxy", server('xheaders=True, trusted_downstream="10.0.0.5, 10.0.0.6"'),
     "a set of its characters"),
    ("trust-the-proxy", server("xheaders=True", then='server.listen(0, "127.0.0.1")'), "already listens"),
    ("trust-the-proxy", "def make_server(app):\n    return app\n", "returned Application, not an HTTPServer"),
    ("trust-the-proxy", "async def make_server(app):\n    return HTTPServer(app)\n", "should be a plain function"),
    # returns at once, neither waiting nor closing: the requests still finish, but after drain returned
    ("drain-in-time", drain("server.stop()\nserver.conn_params.no_keep_alive = True"),
     "while a 0.5 s request was still in progress"),
    # forgets to await close_all_connections: the coroutine never runs
    ("drain-in-time", drain('''
server.stop()
server.conn_params.no_keep_alive = True
loop = asyncio.get_running_loop()
deadline = loop.time() + timeout
while app.in_progress and loop.time() < deadline:
    await asyncio.sleep(0.02)
server.close_all_connections()'''), "was still open 0.3 s after drain returned"),
    # sets no_keep_alive on the server, where Tornado never looks again: it copied the flag into conn_params
    ("drain-in-time", drain('''
server.stop()
server.no_keep_alive = True
loop = asyncio.get_running_loop()
deadline = loop.time() + timeout
while app.in_progress and loop.time() < deadline:
    await asyncio.sleep(0.02)
await server.close_all_connections()'''), "server.conn_params.no_keep_alive = True"),
    ("drain-in-time", drain("server.stop()\nraise RuntimeError('oops')"), "your code raised RuntimeError: oops"),
    ("drain-in-time", "def drain(server, app, timeout):\n    server.stop()\n", "should be an `async def` function"),
]


def _listening() -> set[tuple[str, int]]:
    return {(c.laddr.ip, c.laddr.port) for c in psutil.Process().net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN}


@pytest.mark.filterwarnings("ignore:coroutine 'HTTPServer.close_all_connections' was never awaited")
@pytest.mark.parametrize(("task", "source", "hint"), MISTAKES, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(MISTAKES)])
def test_mistake_fails_with_its_hint_and_leaves_nothing_listening(task, source, hint):
    before = _listening()
    with pytest.raises(CheckFailed) as failed:
        run(labsupport.check(task, *answers(task, source)))
    message = str(failed.value)
    assert message.startswith(f"✘ {task}: ") and hint in message, message
    assert "Traceback" not in message
    assert _listening() <= before


def test_a_drain_that_also_closes_the_app_passes(capsys):
    """Lesson 12's drain ends with ``await app.close()``; copied as it is, it passes too."""
    source = drain('''
server.stop()
server.conn_params.no_keep_alive = True
loop = asyncio.get_running_loop()
deadline = loop.time() + timeout
while app.in_progress and loop.time() < deadline:
    await asyncio.sleep(0.02)
await server.close_all_connections()
await app.close()''')
    run(labsupport.check("drain-in-time", *answers("drain-in-time", source)))
    assert capsys.readouterr().out.startswith("✔ drain-in-time passed: ")
