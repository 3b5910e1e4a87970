"""Read a sampled stack of the event loop's thread: was it idle, in the cell's own code, or in a callback, and where.

:mod:`labsupport.watch.loop_watchdog` samples the loop thread while the loop is stalled and
uses this module to say which line of the learner's code was running. Example::

    import sys
    from labsupport.watch import stacks
    frame = sys._getframe()
    stacks.classify(frame)                   # ('cell', None): a cell's own code, run by IPython
    stacks.describe(*stacks.place_of(frame))
    # Place(function='<module>', callee='stacks.place_of', where='Cell In[3], line 5', ...)

The rules, checked against real stacks of ipykernel 7.4 (``tests/watch``):

- the part of a stack that belongs to one event loop callback is the frames inside the innermost
  ``asyncio.events.Handle._run``; with none, the loop is between callbacks (waiting in ``select``);
- if IPython's ``run_code`` or ``run_cell`` is among those frames, the callback is the kernel running
  a cell, and the code is the cell's own (a top-level ``time.sleep``, even after an ``await``);
- if ipykernel's ``dispatch_shell`` (or ``dispatch_control``) is, the kernel is answering its front
  end otherwise: JupyterLab's tab completion and Shift-Tab help took 0.5 s to 3.4 s (jedi, parso's
  cache, pygments) on their first use here, which the learner neither wrote nor can fix;
- the place to name is the innermost frame of those that is not the standard library, an installed
  package or labsupport; with only such frames, the innermost one.
"""

from __future__ import annotations

import ast
import asyncio.events
import dis
import linecache
import os
import sys
import sysconfig
from pathlib import Path
from types import CodeType, FrameType
from typing import Literal, NamedTuple

__all__ = ["Kind", "Place", "classify", "describe", "place_of", "where"]

Kind = Literal["idle", "cell", "kernel", "callback"]

_HANDLE_RUN = asyncio.events.Handle._run.__code__
_EVENTS_FILE = asyncio.events.__file__
_IPYTHON_RUNNERS = ("run_code", "run_cell")
_SHELL_FILE = os.path.join("IPython", "core", "interactiveshell.py")
_KERNEL_DISPATCHERS = ("dispatch_shell", "dispatch_control", "process_control")
_KERNEL_FILE = os.path.join("ipykernel", "kernelbase.py")
_CACHE = dis.opmap.get("CACHE", -1)
_CALLS = {name for name in ("CALL", "CALL_FUNCTION_EX", "CALL_KW", "PRECALL") if name in dis.opmap}
_LIBRARY_DIRS = tuple(sorted({os.path.join(sysconfig.get_paths()[key], "") for key in ("stdlib", "platstdlib")}
                             | {os.path.join(str(Path(__file__).resolve().parent.parent), "")}))
_library_cache: dict[str, bool] = {}


class Place(NamedTuple):
    """A line of code named in a report: ``callee`` is the call running there, or None."""

    function: str
    callee: str | None
    where: str
    filename: str
    lineno: int


def classify(frame: FrameType) -> tuple[Kind, tuple[CodeType, int, int] | None]:
    """Say what the thread whose innermost frame is ``frame`` was doing; for a callback, where.

    Returns ``("idle", None)``, ``("cell", None)``, ``("kernel", None)`` or
    ``("callback", (code, lasti, lineno))``.
    Called on the watchdog's thread, so it only walks the stack and keeps no frame.
    """
    inside: list[FrameType] = []
    current: FrameType | None = frame
    while current is not None:
        code = current.f_code
        if code is _HANDLE_RUN or (code.co_name == "_run" and code.co_filename == _EVENTS_FILE):
            break
        if code.co_name in _IPYTHON_RUNNERS and code.co_filename.endswith(_SHELL_FILE):
            return "cell", None
        if code.co_name in _KERNEL_DISPATCHERS and code.co_filename.endswith(_KERNEL_FILE):
            return "kernel", None
        inside.append(current)
        current = current.f_back
    if current is None or not inside:
        return "idle", None
    return "callback", _code_place(_blamed(inside))


def place_of(frame: FrameType) -> tuple[CodeType, int, int]:
    """``(code, lasti, lineno)`` of the frame to name, looking from ``frame`` outward (no callback needed)."""
    frames = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return _code_place(_blamed(frames))


def describe(code: CodeType, lasti: int, lineno: int, *, call_share: float = 1.0) -> Place:
    """The :class:`Place` of instruction ``lasti`` of ``code``; a callee only if ``call_share`` > 0.5.

    ``call_share`` is the share of samples that were at this very instruction: a CPU loop's
    samples fall on whatever instruction ran, so one call among them is not what blocked.
    """
    callee = _callee(code, lasti) if call_share > 0.5 else None
    return Place(code.co_qualname, callee, where(code.co_filename, lineno), code.co_filename, lineno)


def where(filename: str, lineno: int) -> str:
    """``Cell In[14], line 3`` for a notebook cell (IPython's wording), ``todo/app.py, line 40`` for a file."""
    shell = _ipython()
    label = shell.compile.format_code_name(filename) if shell is not None else None
    if label:
        return f"{label[0]} {label[1]}, line {lineno}"
    path = Path(filename)
    try:
        shown = str(path.relative_to(Path.cwd())) if path.is_absolute() else filename
    except ValueError:  # not under the working directory
        shown = path.name
    return f"{shown}, line {lineno}"


def _blamed(frames: list[FrameType]) -> FrameType:
    """The innermost frame of the learner's code in ``frames`` (innermost first), else the innermost."""
    return next((f for f in frames if not _is_library(f.f_code.co_filename)), frames[0])


def _code_place(frame: FrameType) -> tuple[CodeType, int, int]:
    return frame.f_code, frame.f_lasti, frame.f_lineno or frame.f_code.co_firstlineno


def _is_library(filename: str) -> bool:
    known = _library_cache.get(filename)
    if known is None:
        if filename.startswith("<"):
            known = filename.startswith("<frozen ")
        else:
            parts = Path(filename).parts
            known = ("site-packages" in parts or "dist-packages" in parts
                     or os.path.abspath(filename).startswith(_LIBRARY_DIRS))
        _library_cache[filename] = known
    return known


def _callee(code: CodeType, lasti: int) -> str | None:
    """The function a CALL at ``lasti`` calls, as written (``time.sleep``); None for other instructions."""
    raw = code.co_code
    while lasti > 0 and raw[lasti] == _CACHE:  # calling Python code, the caller is at the CALL's cache
        lasti -= 2
    if lasti < 0 or dis.opname[raw[lasti]] not in _CALLS:
        return None
    positions = list(code.co_positions())
    start, end, column, end_column = positions[lasti // 2] if lasti // 2 < len(positions) else (None,) * 4
    lines = linecache.getlines(code.co_filename)
    if None in (start, end, column, end_column) or end > len(lines):
        return _only_call_on(lines, start or code.co_firstlineno)
    # Columns count UTF-8 bytes; slice the bytes of the lines the call spans.
    chunk = [line.encode() for line in lines[start - 1:end]]
    chunk[-1] = chunk[-1][:end_column]
    chunk[0] = chunk[0][column:]
    segment = b"".join(chunk).decode(errors="replace")
    try:  # the callee of `a.b().c(d)` is `a.b().c`, which "the text before the first (" would miss
        node = ast.parse(f"(\n{segment}\n)", mode="eval").body
        if isinstance(node, ast.Call):
            return " ".join(ast.unparse(node.func).split())
    except SyntaxError:
        pass
    head = segment.split("(", 1)[0].strip()
    return " ".join(head.split()) or None


def _only_call_on(lines: list[str], lineno: int) -> str | None:
    """Without column positions (``python -X no_debug_ranges``): the outermost call of the line, if it parses."""
    if not 0 < lineno <= len(lines):
        return None
    try:
        tree = ast.parse(lines[lineno - 1].strip())
    except SyntaxError:
        return None
    call = next((node for node in ast.walk(tree) if isinstance(node, ast.Call)), None)
    return ast.unparse(call.func) if call is not None else None


def _ipython():
    if "IPython" not in sys.modules:  # a plain script: importing IPython would cost half a second
        return None
    shell = sys.modules["IPython"].get_ipython()
    return shell if hasattr(getattr(shell, "compile", None), "format_code_name") else None
