"""Tests for labsupport.demos.site: the site lesson 06's spider crawls, and its link finder."""

from __future__ import annotations

import asyncio
import collections

import httpx
import pytest

import labsupport
from labsupport.demos import site as demo_site
from labsupport.demos.site import SITE_FACTS, find_links, make_site

from ..conftest import run


def test_find_links_keeps_same_site_links_absolute_and_without_fragments():
    html = ('<a href="/page/3">3</a><a href="page/4#x">4</a><a href="https://example.org/">off</a>'
            '<a href="/page/3">again</a><a name="no-href">x</a><A HREF="/up">up</A>')
    assert find_links("http://127.0.0.1:8000/page/1", html) == [
        "http://127.0.0.1:8000/page/3", "http://127.0.0.1:8000/page/page/4", "http://127.0.0.1:8000/up"]


def test_a_breadth_first_crawl_finds_what_site_facts_promise(monkeypatch):
    monkeypatch.setattr(demo_site, "STUCK_SECONDS", 1.0)

    async def scenario():
        site = labsupport.serve(make_site())
        statuses: dict[str, object] = {}
        frontier, seen = [site.url], {site.url}
        async with httpx.AsyncClient(timeout=0.3) as client:
            while frontier:
                pages = await asyncio.gather(*(client.get(url) for url in frontier), return_exceptions=True)
                next_frontier = []
                for url, page in zip(frontier, pages):
                    if isinstance(page, httpx.TimeoutException):
                        statuses[url] = "timeout"
                        continue
                    statuses[url] = page.status_code
                    for link in find_links(url, page.text) if page.status_code == 200 else []:
                        if link not in seen:
                            seen.add(link)
                            next_frontier.append(link)
                frontier = next_frontier
        counts = collections.Counter(statuses.values())
        assert counts == {200: SITE_FACTS["pages"], 404: SITE_FACTS["missing"], "timeout": SITE_FACTS["stuck"]}
        assert not any("tornadoweb" in url for url in statuses)  # the off-site link was never followed
    run(scenario())


@pytest.mark.parametrize("path, status", [("page/40", 404), ("page/-1", 404), ("page/x", 404), ("about", 200)])
def test_pages_outside_the_tree_are_404(path, status):
    async def scenario():
        site = labsupport.serve(make_site())
        async with httpx.AsyncClient() as client:
            assert (await client.get(site.url + path)).status_code == status
    run(scenario())
