"""``python -m labsupport --help`` lists every command with an example, and so does each command's --help."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from labsupport.__main__ import build_parser

from .conftest import ROOT


def help_text(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "labsupport", *args, "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commands() -> list[str]:
    [subcommands] = [action for action in build_parser()._actions if action.choices and action.dest == "command"]
    return list(subcommands.choices)


def test_the_overview_gives_an_example_of_every_command():
    text = help_text()
    for command in commands():
        assert re.search(rf"^  python -m labsupport {command}\b", text, re.M), f"no example of {command}"


@pytest.mark.parametrize("command", commands())
def test_each_commands_help_ends_with_an_example(command):
    assert re.search(rf"^examples?:\n  python -m labsupport {command}\b", help_text(command), re.M)
