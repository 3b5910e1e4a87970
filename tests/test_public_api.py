"""labsupport's public API: one sorted __all__, every name in it importable, every module's too."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import labsupport

MODULES = sorted(m.name for m in pkgutil.walk_packages(labsupport.__path__, "labsupport.")
                 if not m.name.endswith("__main__"))


def test_all_is_sorted_and_every_name_imports():
    assert labsupport.__all__ == sorted(labsupport.__all__)
    missing = [name for name in labsupport.__all__ if not hasattr(labsupport, name)]
    assert missing == []


@pytest.mark.parametrize("name", MODULES)
def test_every_module_has_a_sorted_all_of_names_it_defines(name):
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert list(exported) == sorted(exported), f"{name}.__all__ is not sorted"
    assert [n for n in exported if not hasattr(module, n)] == []


def test_there_are_subpackages_by_job():
    assert {"demos", "exercises", "kernel", "measure", "plots", "servers"} <= {
        m.name for m in pkgutil.iter_modules(labsupport.__path__) if m.ispkg}


def test_the_tests_mirror_the_package():
    from .conftest import ROOT

    subpackages = {m.name for m in pkgutil.iter_modules(labsupport.__path__) if m.ispkg}
    assert {p.name for p in (ROOT / "tests").iterdir() if (p / "__init__.py").exists()} == subpackages
