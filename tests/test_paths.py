"""Tests for labsupport.paths: the course folder, found from the install or from TORNADO_LAB_ROOT."""

from __future__ import annotations

from labsupport.paths import ROOT_VARIABLE, course_path, course_root

from .conftest import ROOT


def test_the_course_is_the_checkout_labsupport_came_from(monkeypatch):
    monkeypatch.delenv(ROOT_VARIABLE, raising=False)
    assert course_root() == ROOT
    assert course_path("requirements.txt").is_file()


def test_the_environment_names_another_copy(monkeypatch, tmp_path):
    monkeypatch.setenv(ROOT_VARIABLE, str(tmp_path))
    assert course_root() == tmp_path.resolve()
    assert course_path("exercises", "solutions") == tmp_path.resolve() / "exercises" / "solutions"
