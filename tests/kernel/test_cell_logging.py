"""Tests for labsupport.kernel.cell_logging: failed requests show one line on the current stderr."""

from __future__ import annotations

import logging

from tornado.httpclient import AsyncHTTPClient

import labsupport
from labsupport.kernel import cell_logging
from ..apps import make_hello_app
from ..conftest import run


def test_a_404_prints_one_warning_line(capsys):
    async def scenario():
        server = labsupport.serve(make_hello_app())
        response = await AsyncHTTPClient().fetch(server.url + "missing", raise_error=False)
        assert response.code == 404
    run(scenario())
    lines = [line for line in capsys.readouterr().err.splitlines() if "tornado.access" in line]
    assert len(lines) == 1 and lines[0].startswith("WARNING tornado.access: 404 GET /missing (127.0.0.1)")


def test_the_browsers_favicon_404_is_not_shown_but_other_404s_are(capsys):
    async def scenario():
        server = labsupport.serve(make_hello_app())
        for path in ("favicon.ico", "favicon.ico.bak"):
            response = await AsyncHTTPClient().fetch(server.url + path, raise_error=False)
            assert response.code == 404
    run(scenario())
    lines = [line for line in capsys.readouterr().err.splitlines() if "tornado.access" in line]
    assert len(lines) == 1 and "404 GET /favicon.ico.bak " in lines[0]


def test_logging_the_learner_configured_is_left_alone(monkeypatch):
    mine = logging.NullHandler()
    logger = logging.getLogger("tornado.general")
    monkeypatch.setattr(logger, "handlers", [mine])
    cell_logging.show_tornado_warnings()
    assert logger.handlers == [mine]


def test_another_loggers_warnings_show_on_the_stderr_of_the_time(capsys, monkeypatch):
    logger = logging.getLogger("labsupport.tests.another")
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logger, "propagate", True)
    assert cell_logging.show_warnings_of(logger.name) is True
    assert cell_logging.show_warnings_of(logger.name) is False  # once: no second line per record
    logger.info("not shown")
    logger.warning("shown %s", "once")
    assert capsys.readouterr().err == "WARNING labsupport.tests.another: shown once\n"
