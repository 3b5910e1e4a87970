"""The course on a real JupyterHub: five learners log in through Chromium and run lessons 02 and 07 at once.

What a workshop on a shared hub needs, checked for real (``tests/jupyterhub.py`` starts the hub):

- every learner's JupyterLab, reached through the hub's proxy, runs lessons 02 and 07 to the end;
- every server link in the outputs goes through ``/user/NAME/proxy/PORT/`` and answers in that
  learner's browser, on a port no other learner's server has (no clash), while another learner
  who was not invited is turned away (no cross-talk);
- the chat on one learner's server works between two learners' browsers (the second one is
  given access to the first one's server, as JupyterHub's roles allow);
- memory per learner, measured while lessons 04 and 07 run, and the run times, land in
  ``test-artifacts/jupyterhub/figures.json`` for ``docs/instructor.md``;
- nothing the hub, the learners' servers or their kernels started is left afterwards.

It skips without jupyterhub (``requirements-hub.txt``) or configurable-http-proxy, except in CI.
"""

from __future__ import annotations

import json
import re
import statistics
import threading
import time
from pathlib import Path

import nbformat
import pytest

from .browser import missing_browser, require
from .jupyterhub import Hub, missing_hub
from .jupyterlab import ROOT, Lab, chromium, saved_problems

ARTIFACTS = ROOT / "test-artifacts" / "jupyterhub"
LEARNERS = ["ada", "bob", "chen", "dana", "emil"]
HOST, GUEST = "ada", "bob"  # bob chats on ada's server
LESSON_02 = "notebooks/02-write-your-first-server.ipynb"
LESSON_04 = "notebooks/04-measure-blocking-and-non-blocking-code.ipynb"
LESSON_07 = "notebooks/07-build-a-chat-room.ipynb"
SPLIT = {LESSON_02: "c56", LESSON_07: "c57"}  # the cell that stops the lesson's servers: links are checked before it
RUN_TIMEOUT = 420
STALE_LINK = "500 : Internal Server Error"  # jupyter-server-proxy's page for a link to a stopped server (the guide's card)
PROXY_LINK = re.compile(r'href="(/user/([a-z]+)/proxy/(\d+)/[^"]*)"')
LOCAL_LINK = re.compile(r'href=\\"http://127\.0\.0\.1:\d+/')  # in a committed notebook's JSON


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    require(missing_browser() or missing_hub())
    guest_role = {"name": "chat-guest", "users": [GUEST], "scopes": [f"access:servers!user={HOST}"]}
    with Hub(tmp_path_factory.mktemp("hub"), LEARNERS, course=ROOT, clear=[LESSON_02, LESSON_04, LESSON_07],
             extra_roles=[guest_role]) as running:
        yield running


@pytest.fixture(scope="module")
def browser(hub):
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def figures():
    found: dict = {"learners": len(LEARNERS)}
    yield found
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "figures.json").write_text(json.dumps(found, indent=2) + "\n")


@pytest.fixture(scope="module")
def labs(hub, browser, figures):
    """Each learner signs in on the hub's form (which spawns their server) and gets a JupyterLab page."""
    started, pages = time.monotonic(), {}
    try:
        for name in LEARNERS:  # the first sign-in waits for the spawn; the hub spawns the others meanwhile
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{hub.url}hub/login")
            page.fill("input[name=username]", name)
            page.fill("input[name=password]", "workshop-password")
            page.click("input[type=submit], button[type=submit]")
            pages[name] = context
        for name in LEARNERS:
            hub.wait_spawned(name)
            pages[name].close()
        figures["spawn_seconds_all"] = round(time.monotonic() - started, 1)
        labs = {name: Lab(browser, hub.learners[name], timeout_ms=120_000, wait=False) for name in LEARNERS}
        for lab in labs.values():  # the five JupyterLabs load at the same time
            lab.ready()
        figures["sign_in_to_jupyterlab_seconds_all"] = round(time.monotonic() - started, 1)
        yield labs
    finally:
        for context in pages.values():
            try:
                context.close()
            except Exception:
                pass
        for lab in locals().get("labs", {}).values():
            lab.close()


class Memory:
    """Samples each learner's resident memory (their server and all under it) in a thread."""

    def __init__(self, hub: Hub, names: list[str]) -> None:
        self.hub, self.names = hub, names
        self.peak = {name: (0, 0) for name in names}  # (pss, rss), each at its own peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            for name in self.names:
                pss, rss = self.hub.learners[name].memory()
                self.peak[name] = (max(self.peak[name][0], pss), max(self.peak[name][1], rss))

    def __enter__(self) -> Memory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)

    def mib(self) -> dict[str, dict[str, int]]:
        return {name: {"pss": round(pss / 2**20), "rss": round(rss / 2**20)} for name, (pss, rss) in self.peak.items()}


def _cell_index(lab: Lab, path: str, cell_id: str) -> int:
    cells = nbformat.read(lab.server.home / "course" / path, as_version=4).cells
    return next(i for i, cell in enumerate(cells) if cell.get("id") == cell_id)


def _select(lab: Lab, index: int) -> None:
    lab.page.evaluate("(i) => { const w = window.__tl.widget; w.content.activeCellIndex = i; w.content.deselectAll(); }",
                      index)


def _run_together(labs: dict[str, Lab], command: str, what: str, *, index: int | None = None) -> dict[str, float]:
    """Start ``command`` in every learner's notebook at once; wait for all; seconds per learner."""
    for lab in labs.values():
        if index is not None:
            _select(lab, index)
        lab.start_command(command)
    return {name: round(lab.finish_command(timeout=RUN_TIMEOUT, what=what).seconds, 1) for name, lab in labs.items()}


def _saved(lab: Lab, path: str) -> nbformat.NotebookNode:
    lab.save()
    return nbformat.read(lab.server.home / "course" / path, as_version=4)


def _links(notebook) -> list[tuple[str, str, int]]:
    """The proxy links in a notebook's outputs, ``(url, user, port)``, in order, each once."""
    found: list[tuple[str, str, int]] = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            for url, user, port in PROXY_LINK.findall("".join(html) if isinstance(html, list) else html):
                if (url, user, int(port)) not in found:
                    found.append((url, user, int(port)))
    return found


def _status_in(lab: Lab, url: str, *, redirects: int = 0) -> tuple[int, str]:
    """Open ``url`` (a path on the hub) with that learner's cookies; the status and the start of the body."""
    response = lab.context.request.get(lab.server.hub.url.rstrip("/") + url, max_redirects=redirects,
                                       timeout=20_000)
    return response.status, response.text()[:200]


def _run_lesson(labs: dict[str, Lab], path: str, figures: dict, *, during=None) -> dict:
    """Run All above the lesson's closing cell in every learner's notebook at once; check each server
    link while the servers run (and call ``during(links)``); then run the rest, check what was saved,
    shut the kernels down and look for leftovers. Memory is sampled all the while."""
    problems, result = [], {}
    with Memory(labs[next(iter(labs))].server.hub, list(labs)) as memory:
        for lab in labs.values():
            lab.open(path, timeout=120)
        split = _cell_index(next(iter(labs.values())), path, SPLIT[path])
        above = _run_together(labs, "notebook:run-all-above", f"{path} up to its closing cell", index=split)
        links = {name: _links(_saved(lab, path)) for name, lab in labs.items()}
        for name, lab in labs.items():
            if not links[name]:
                problems.append(f"{name}: no server link through the hub's proxy in {path}")
            for url, user, _ in sorted(links[name]):
                status, body = _status_in(lab, url)
                if user != name or status != 200:
                    problems.append(f"{name}: {url} answered {status}: {body!r}")
        servers = [(user, port) for found in links.values() for _, user, port in found]
        if len({port for _, port in servers}) != len(set(servers)):
            problems.append(f"two learners' servers on one port: {sorted(servers)}")
        if during is not None:
            result = during(links)
        below = _run_together(labs, "notebook:run-all-below", f"{path} from its closing cell", index=split)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, lab in labs.items():
        problems += saved_problems(_saved(lab, path), f"{name}: {path}")
        if name in (HOST, GUEST) or problems:  # two learners' pictures tell the story; each takes seconds
            lab.page.bring_to_front()  # a page in the background may not lay its cells out
            lab.screenshot(ARTIFACTS / f"{name}-{Path(path).stem}.png")
        problems += [f"{name}: {left}" for left in lab.shutdown_kernel(grace=15)]
        lab.close_notebook()
    figures[Path(path).stem] = {
        "run_seconds_per_learner": {name: round(above[name] + below[name], 1) for name in labs},
        "server_links_checked": sum(len(found) for found in links.values()),
        "peak_memory_mib_per_learner": memory.mib(),
    }
    return {"problems": problems, "links": links, **result}


def test_five_learners_run_lesson_02_at_once_and_every_link_answers_through_the_hub(labs, figures):
    found = _run_lesson(labs, LESSON_02, figures)
    assert found["problems"] == []
    url = found["links"][HOST][0][0]  # the lesson's last cell stopped that server: what a stale link shows
    response = labs[HOST].context.request.get(labs[HOST].server.hub.url.rstrip("/") + url, timeout=20_000)
    heading = re.search(r"<h1>(.*?)</h1>", response.text(), re.S)
    figures["stopped_server_link"] = {"status": response.status, "heading": heading and heading.group(1).strip()}
    assert (response.status, heading and heading.group(1).strip()) == (500, STALE_LINK), response.text()[-600:]
    committed = len(LOCAL_LINK.findall((ROOT / LESSON_02).read_text()))  # as many links as the lesson shows
    assert committed and figures[Path(LESSON_02).stem]["server_links_checked"] == committed * len(LEARNERS)


def test_a_learner_who_was_not_invited_cannot_open_another_learners_server(labs):
    status, body = _status_in(labs["chen"], f"/user/{HOST}/lab", redirects=10)  # through the hub's OAuth
    assert status == 403, f"chen opened ada's JupyterLab: {status} {body!r}"


def test_lesson_07_runs_for_everyone_and_two_learners_chat_on_one_learners_server(labs, figures):
    found = _run_lesson(labs, LESSON_07, figures, during=lambda links: _chat(labs, links))
    assert found["problems"] == []
    assert (found["host_saw"], found["guest_saw"], found["stranger_saw"]) == (True, True, False)


def _chat(labs: dict[str, Lab], links: dict[str, set]) -> dict:
    """Ada and Bob open the chat on ada's server, each in their own browser; Chen, on her own chat, hears nothing."""
    from playwright.sync_api import expect

    url, own_url = links[HOST][-1][0], links["chen"][-1][0]  # the chat server the lesson serves last
    hub_url = labs[HOST].server.hub.url.rstrip("/")
    pages = {}
    for name, target in ((HOST, url), (GUEST, url), ("chen", own_url)):
        page = labs[name].context.new_page()
        page.goto(hub_url + target)
        if name == GUEST:  # the hub asks Bob, once, to let ada's server know who he is; he agrees
            expect(page.get_by_role("heading", name="Authorize access")).to_be_visible(timeout=30_000)
            page.get_by_role("button", name="Authorize").click()
        expect(page.locator("#body")).to_be_visible(timeout=30_000)
        pages[name] = page
    text = f"hello from bob at {time.time():.0f}"
    pages[GUEST].fill("#body", text)
    pages[GUEST].click("button[type=submit]")
    result = {}
    for name, role in ((HOST, "host"), (GUEST, "guest"), ("chen", "stranger")):
        try:
            expect(pages[name].get_by_text(text)).to_be_visible(timeout=2_000 if role == "stranger" else 10_000)
            result[f"{role}_saw"] = True
        except AssertionError:
            result[f"{role}_saw"] = False
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, page in pages.items():
        page.screenshot(path=str(ARTIFACTS / f"chat-{name}.png"))
        page.close()
    return result


def test_memory_per_learner_while_lesson_04_runs(hub, labs, figures):
    """Two learners run lesson 04 (its blocking demos run as separate processes) at once."""
    runners = {name: labs[name] for name in LEARNERS[:2]}
    with Memory(hub, list(runners)) as memory:
        for lab in runners.values():
            lab.open(LESSON_04, timeout=120)
        seconds = _run_together(runners, "notebook:run-all-cells", "lesson 04 to finish")
    problems = []
    for name, lab in runners.items():
        problems += saved_problems(_saved(lab, LESSON_04), f"{name}: {LESSON_04}")
        problems += [f"{name}: {left}" for left in lab.shutdown_kernel(grace=15)]
        lab.close_notebook()
    figures[Path(LESSON_04).stem] = {"run_seconds_per_learner": seconds, "learners_running_it": len(runners),
                                     "peak_memory_mib_per_learner": memory.mib()}
    peaks = [peak["pss"] for peak in memory.mib().values()]
    figures["lesson_04_median_pss_mib"] = statistics.median(peaks)
    assert problems == []
    assert all(peak > 50 for peak in peaks), memory.mib()  # a JupyterLab server and a kernel were measured


def test_nothing_is_left_when_the_hub_stops(hub, labs):
    seen = hub.descendants()
    for learner in hub.learners.values():
        seen += [learner.psutil, *learner.descendants()]
    hub.stop()
    from .jupyterlab import alive, describe

    assert [describe(proc) for proc in alive(seen)] == []
