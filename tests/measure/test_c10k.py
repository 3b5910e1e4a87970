"""Tests for labsupport.measure.c10k: idle connections counted (not assumed), limits, clean-up, loopback only."""

from __future__ import annotations

import resource
import subprocess
import sys

import psutil
import pytest
import tornado.web

import labsupport
from labsupport.measure import c10k, c10k_servers
from labsupport.errors import LoadError, LoadTargetError
from labsupport.plots.c10k import plot_c10k

from ..conftest import run


def server_children() -> list[psutil.Process]:
    """Live processes under this one that run a C10K server or its supervisor."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "labsupport.measure.c10k_servers" in child.cmdline():
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.mark.parametrize("server", c10k.SERVERS)
def test_every_connection_is_accepted_served_and_stopped_afterwards(server):
    result = run(c10k.measure(server, connections=200), timeout=90)
    assert (result.asked, result.connected, result.served, result.accepted) == (200, 200, 200, 200)
    assert result.all_served and result.errors == {}
    assert result.rss_after > result.rss_before and result.kb_per_connection > 0
    if server == "tornado":
        assert result.threads == 1  # the whole point: one thread holds them all
    else:
        assert result.threads > 200  # one per connection, plus the one that accepts
    assert labsupport.running() == [] and server_children() == []


def test_repr_reads_as_a_sentence():
    result = c10k.C10kResult(server="tornado", asked=10, connected=10, served=9, accepted=10,
                             rss_before=20 * 2**20, rss_after=20 * 2**20 + 10 * 9 * 1024, threads=1,
                             seconds=0.5, errors={"timeout": 1})
    assert repr(result) == ("C10kResult('tornado': 10 asked, 10 accepted, 9 served, timeout x1; "
                            "RSS 20.0 -> 20.1 MB, 9.0 KB per connection, 1 thread, 0.5 s to open)")
    assert not result.all_served


def test_wrong_answers_are_not_counted_as_served():
    class WrongHandler(tornado.web.RequestHandler):
        def get(self):
            self.write("Goodbye")

    async def go():
        server = labsupport.serve(tornado.web.Application([(r"/", WrongHandler)]), name="wrong")
        try:
            async with c10k.hold(server.url, connections=20, expect=b"Hello, world") as held:
                return held.connected, held.served, dict(held.errors)
        finally:
            await server.aclose()

    assert run(go()) == (20, 0, {"wrong answer": 20})


def test_refused_connections_are_counted_not_raised():
    async def go():
        server = labsupport.serve(tornado.web.Application([]), name="gone")
        url = server.url
        await server.aclose()  # nothing listens on that port any more
        async with c10k.hold(url, connections=5) as held:
            return held.connected, held.served, dict(held.errors)

    assert run(go()) == (0, 0, {"connection refused": 5})


@pytest.mark.parametrize("url", ["http://example.com/", "http://10.0.0.1:8000/", "http://192.168.1.1/"])
def test_a_target_that_is_not_this_machine_is_refused(url):
    async def go():
        async with c10k.hold(url, connections=1):
            pass

    with pytest.raises(LoadTargetError, match="only ever targets this machine"):  # load()'s check and wording
        run(go())


def test_hold_and_load_refuse_a_foreign_target_in_the_same_words():
    async def go():
        async with c10k.hold("http://example.com/", connections=1):
            pass

    with pytest.raises(LoadTargetError) as by_hold:
        run(go())
    with pytest.raises(LoadTargetError) as by_load:
        run(labsupport.load("http://example.com/", requests=1))
    assert str(by_hold.value).startswith("hold() only ever targets")
    assert str(by_hold.value).replace("hold()", "load()", 1) == str(by_load.value)
    assert not isinstance(by_hold.value, c10k.C10kError)  # a refusal of the target, not of c10k's options


@pytest.mark.parametrize("url", ["https://127.0.0.1:1/", "ftp://127.0.0.1/", 8000])
def test_a_url_that_is_no_http_url_is_a_c10k_error_worded_like_loads(url):
    async def go():
        async with c10k.hold(url, connections=1):
            pass

    with pytest.raises(c10k.C10kError, match=r"^hold\(\) (speaks plain http://|needs a URL string)"):
        run(go())


def test_every_c10k_error_is_a_load_error():
    assert issubclass(c10k.C10kError, LoadError) and issubclass(LoadTargetError, LoadError)
    assert issubclass(c10k.C10kError, labsupport.LabError)


@pytest.mark.parametrize("connections", [0, -5, "10", 2.5, True, c10k.MAX_CONNECTIONS + 1])
def test_a_bad_count_is_a_clear_error(connections):
    with pytest.raises(c10k.C10kError, match="connections must be a whole number"):
        run(c10k.measure("tornado", connections=connections))
    assert server_children() == []


@pytest.mark.parametrize("option", [{"timeout": -1}, {"max_seconds": "60"}, {"settle": float("nan")},
                                    {"concurrency": 0}])
def test_bad_options_are_a_clear_error(option):
    name = next(iter(option))
    with pytest.raises(c10k.C10kError, match=f"^{name} must be"):
        run(c10k.measure("tornado", connections=10, **option))
    assert server_children() == []


def test_counts_are_worded_as_load_words_them():
    with pytest.raises(c10k.C10kError) as by_c10k:
        run(c10k.measure("tornado", connections=10, concurrency=0))
    with pytest.raises(LoadError) as by_load:
        run(labsupport.load("http://127.0.0.1:1/", concurrency=0))
    assert str(by_c10k.value) == str(by_load.value) == "concurrency must be a whole number from 1 to 1000, not 0."
    with pytest.raises(c10k.C10kError, match=r"from 1 to 25,000, not 25001\.$"):
        run(c10k.measure("tornado", connections=25_001))


def test_an_unknown_server_is_a_clear_error():
    with pytest.raises(c10k.C10kError, match="server must be one of 'tornado', 'threads'"):
        run(c10k.measure("nginx", connections=10))


def test_more_connections_than_the_hard_limit_allows_fail_before_any_process_starts():
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard == resource.RLIM_INFINITY or hard >= c10k.MAX_CONNECTIONS:
        pytest.skip(f"the hard open-file limit ({hard}) is above what c10k may ask for")
    with pytest.raises(c10k.C10kError, match=f"hard open-file limit is {hard:,}") as caught:
        run(c10k.measure("threads", connections=hard + 1))
    assert "Ask for at most" in str(caught.value)
    assert labsupport.running() == [] and server_children() == []


def test_the_limit_error_names_the_limit_and_the_most_that_fits(monkeypatch):
    monkeypatch.setattr(resource, "getrlimit", lambda which: (1024, 2000))
    with pytest.raises(c10k.C10kError, match=r"hard open-file limit is 2,000 \(`ulimit -Hn`\)\. Ask for at most"):
        run(c10k.measure("tornado", connections=1990))
    assert server_children() == []


def test_the_soft_limit_is_raised_for_the_run_and_put_back():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    low = psutil.Process().num_fds() + 100  # room for the event loop and the server process to start
    resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard))
    try:
        result = run(c10k.measure("tornado", connections=low), timeout=90)
        assert result.all_served, result  # `low` more sockets in this process: only with a raised limit
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (low, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_servers_module_does_not_import_the_client_module():
    code = "import sys, labsupport.measure.c10k_servers; print('labsupport.measure.c10k' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_a_server_that_cannot_raise_its_limit_says_why_and_exits_2(monkeypatch, capsys):
    monkeypatch.setattr(resource, "getrlimit", lambda which: (1024, 2000))
    assert c10k_servers.main(["tornado", "--port=1", "--files=5000"]) == 2
    assert "hard open-file limit is 2000 (`ulimit -Hn`)" in capsys.readouterr().err


def test_raise_open_file_limit_only_goes_up():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert c10k.raise_open_file_limit(10) == soft


def test_the_server_process_is_stopped_when_a_measurement_fails(monkeypatch):
    def broken(process):
        raise RuntimeError("psutil broke")

    monkeypatch.setattr(psutil.Process, "memory_info", broken)  # what measure() reads the server's RSS with
    with pytest.raises(RuntimeError, match="psutil broke"):
        run(c10k.measure("threads", connections=10))
    assert labsupport.running() == [] and server_children() == []


def test_plot_draws_both_panels_and_refuses_other_input():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = [c10k.C10kResult(server=kind, asked=100, connected=100, served=100, accepted=100,
                               rss_before=2**20, rss_after=2**20 + 100 * kb * 1024, threads=threads,
                               seconds=0.1) for kind, kb, threads in (("tornado", 9, 1), ("threads", 26, 101))]
    fig = plot_c10k(results)
    left, right = fig.axes
    assert [round(bar.get_height()) for bar in left.patches] == [9, 26]
    assert len(right.patches) == 6 and fig._suptitle.get_text().startswith("100 idle")
    plt.close(fig)
    with pytest.raises(TypeError, match="C10kResult"):
        plot_c10k([{"server": "tornado"}])
