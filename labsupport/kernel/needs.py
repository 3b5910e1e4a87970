"""Cells that need a program the machine may lack: ``# needs: nginx`` on a cell's first line.

The IPython extension (``import labsupport``) reads that line before the cell runs. When the
program is installed the cell runs as written; when it is not, the cell only prints how to
install it, so Run All goes on with the rest of the lesson. Example, in a lesson cell::

    # needs: nginx
    proxy = labsupport.serve_nginx(todo)
"""

from __future__ import annotations

import shutil

__all__ = ["INSTALL", "skip_if_missing"]

MARKER = "# needs:"
# What to type where a program is missing, for the programs lessons may need.
INSTALL = {
    "nginx": "sudo apt install nginx (Debian, Ubuntu), brew install nginx (macOS)",
}
_SEARCH = {"nginx": ["nginx", "/usr/sbin/nginx", "/usr/local/sbin/nginx"]}


def missing(program: str) -> bool:
    """True when ``program`` is found neither on PATH nor where its packages put it."""
    return not any(shutil.which(place) for place in _SEARCH.get(program, [program]))


def skip_if_missing(lines: list[str]) -> list[str]:
    """An IPython input transformer: a ``# needs: PROGRAM`` cell becomes a notice when PROGRAM is missing."""
    if not lines or not lines[0].startswith(MARKER):
        return lines
    programs = [word.strip() for word in lines[0][len(MARKER):].split(",") if word.strip()]
    absent = [program for program in programs if missing(program)]
    if not absent:
        return lines
    notice = "; ".join(f"{program} is not installed here, so this cell did nothing. Install it with: "
                       f"{INSTALL.get(program, program)}" for program in absent)
    return [f"print({notice!r})\n"]
