"""A small local website for lesson 06's spider: linked pages, some slow, some missing, a loop.

Example, in a notebook cell::

    from labsupport.demos.site import make_site, find_links
    site = labsupport.serve(make_site())
    # GET / links to /page/0; /page/N links to its children, its parent and home (a loop),
    # some pages take 0.2 s, some links are 404, /stuck never answers in time.

``SITE_FACTS`` says what a complete crawl must find, so a lesson can check its spider.
"""

from __future__ import annotations

import asyncio
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import tornado.web

__all__ = ["PAGES", "SITE_FACTS", "SLOW_SECONDS", "STUCK_SECONDS", "find_links", "make_site"]

PAGES = 40                 # /page/0 .. /page/39, a binary tree by number
SLOW_SECONDS = 0.2         # every page whose number ends in 4 or 9 takes this long
STUCK_SECONDS = 5.0        # /stuck answers only after this: longer than any sensible timeout


def _is_slow(number: int) -> bool:
    return number % 5 == 4


def _links_of(number: int) -> list[str]:
    links = [f"/page/{child}" for child in (2 * number + 1, 2 * number + 2) if child < PAGES]
    links.append(f"/page/{(number - 1) // 2}" if number else "/")  # up to the parent: a loop
    links.append("/")
    if number % 7 == 3:
        links.append(f"/page/{number}/missing")  # a broken link: 404
    if number == 17:
        links.append("/stuck")
    links.append("https://www.tornadoweb.org/")  # off-site: a spider must not follow it
    return links


class HomeHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.render_links("Home", ["/page/0", "/about", "/#top"])

    def render_links(self, title: str, links: list[str]) -> None:
        items = "".join(f'<li><a href="{link}">{link}</a></li>' for link in links)
        self.write(f"<html><head><title>{title}</title></head><body><h1>{title}</h1><ul>{items}</ul></body></html>")


class AboutHandler(HomeHandler):
    def get(self) -> None:
        self.render_links("About", ["/"])


class PageHandler(HomeHandler):
    async def get(self, number: str) -> None:
        n = int(number)
        if n >= PAGES:
            raise tornado.web.HTTPError(404)
        if _is_slow(n):
            await asyncio.sleep(SLOW_SECONDS)
        self.render_links(f"Page {n}", _links_of(n))


class StuckHandler(HomeHandler):
    async def get(self) -> None:
        await asyncio.sleep(STUCK_SECONDS)
        self.render_links("Finally", ["/"])


def make_site(**settings) -> tornado.web.Application:
    """The site as a Tornado application, quiet unless ``log_function`` is given."""
    settings.setdefault("log_function", lambda handler: None)
    return tornado.web.Application([
        (r"/", HomeHandler), (r"/about", AboutHandler),
        (r"/page/([0-9]+)", PageHandler), (r"/stuck", StuckHandler),
    ], **settings)


def _facts() -> dict[str, int]:
    missing = {f"/page/{n}/missing" for n in range(PAGES) if n % 7 == 3}
    return {"pages": PAGES + 2, "missing": len(missing), "stuck": 1,
            "slow": sum(_is_slow(n) for n in range(PAGES))}


SITE_FACTS = _facts()
"""What a complete crawl from ``/`` finds: 42 pages that answer 200, 6 broken links, 1 stuck page."""


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def find_links(page_url: str, html: str) -> list[str]:
    """The absolute URLs of the links in ``html`` that stay on ``page_url``'s site, without #fragments.

    >>> find_links("http://127.0.0.1:8000/page/1", '<a href="/page/3">3</a> <a href="https://x.org/">x</a>')
    ['http://127.0.0.1:8000/page/3']
    """
    parser = _LinkParser()
    parser.feed(html)
    site = urlsplit(page_url).netloc
    found: list[str] = []
    for href in parser.hrefs:
        url = urldefrag(urljoin(page_url, href)).url
        if urlsplit(url).netloc == site and url not in found:
            found.append(url)
    return found
