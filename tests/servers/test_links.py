"""Tests for labsupport.servers.links: direct links locally, proxy links on JupyterHub and Binder."""

from __future__ import annotations

import pytest

from labsupport.servers.links import browser_url, proxy_prefix


@pytest.fixture(autouse=True)
def no_proxy_env(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    monkeypatch.delenv("LABSUPPORT_PROXY_PREFIX", raising=False)


def test_local_links_are_direct():
    assert proxy_prefix() is None
    assert browser_url(8000) == "http://127.0.0.1:8000/"
    assert browser_url(8000, "chat", host="0.0.0.0") == "http://127.0.0.1:8000/chat"
    assert browser_url(8000, host="::1") == "http://[::1]:8000/"


def test_hub_links_go_through_the_proxy(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada")  # no trailing slash on purpose
    assert browser_url(8000, "/chat") == "/user/ada/proxy/8000/chat"


def test_explicit_prefix_wins(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    monkeypatch.setenv("LABSUPPORT_PROXY_PREFIX", "/")
    assert browser_url(8000) == "/proxy/8000/"
