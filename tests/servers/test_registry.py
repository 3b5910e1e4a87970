"""Tests for labsupport.servers.registry: which earlier servers a new one replaces."""

from __future__ import annotations

import pytest

from labsupport.servers import registry
from labsupport.servers.registry import Origin

RUN_1 = Origin(cell_id="cell-a", run_id="run-1")


@pytest.mark.parametrize("new, old, same_name, replaced", [
    (Origin("cell-a", "run-2"), RUN_1, False, True),     # a re-run of the cell replaces its earlier run
    (Origin("cell-a", "run-1"), RUN_1, False, False),    # the same run: both stay ...
    (Origin("cell-a", "run-1"), RUN_1, True, False),     # ... even under one name
    (Origin("cell-b", "run-2"), RUN_1, False, False),    # another cell, another name: both stay
    (Origin("cell-b", "run-2"), RUN_1, True, True),      # another cell, the same name: replaced
    (Origin(None, "run-2"), Origin(None, "run-1"), False, False),  # no cell ids (nbval): only names count
    (Origin(None, "run-2"), Origin(None, "run-1"), True, True),
    (Origin(), Origin(), True, True),                    # outside a kernel: names decide
    (Origin(standalone=True), RUN_1, True, False),       # a check's server never replaces ...
    (Origin("cell-a", "run-2"), Origin(standalone=True), True, False),  # ... nor is replaced
])
def test_the_replacing_rule(new, old, same_name, replaced):
    assert new.replaces(old, same_name=same_name) is replaced


class Fake:
    def __init__(self, name: str, origin: Origin) -> None:
        self.name, self.origin, self.port, self.stopped = name, origin, 0, False

    def stop(self) -> None:
        self.stopped = True
        registry.forget(self)


def test_claim_stops_what_is_replaced_and_numbers_names_that_stay():
    old = Fake("hello", RUN_1)
    registry.add(old)
    same_run = Origin("cell-a", "run-1")
    assert registry.claim("hello", same_run) == "hello-2" and not old.stopped
    registry.add(Fake("hello-2", same_run))
    assert registry.claim("hello", same_run) == "hello-3"
    assert registry.claim("hello", same_run) == "hello-4"  # a claimed name is held until added or released
    registry.release("hello-3")
    registry.release("hello-4")
    assert registry.claim("hello", Origin("cell-a", "run-2")) == "hello"
    assert old.stopped and registry.running() == []
    registry.release("hello")
