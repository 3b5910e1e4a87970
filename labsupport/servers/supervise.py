"""Run one command and take its whole process group down with it, also when our parent dies.

``serve_process`` starts every server process under this supervisor, so that a server's own
children (a ``ProcessPoolExecutor``'s workers, say) never outlive it. From a terminal::

    python -m labsupport.servers.supervise -- python -m http.server 8000
    python -m labsupport.servers.supervise --grace=12 -- python -m todo   # 12 s to shut down

On Linux the supervisor asks the kernel for SIGTERM when its parent (the notebook kernel)
dies, and it also polls its parent id, which covers macOS. Windows has no process groups in
this sense; there the supervisor just runs the command.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time

__all__ = ["main"]

GRACE_SECONDS = 3.0  # how long the command gets to end after SIGTERM, unless --grace says otherwise


def _ask_for_signal_on_parent_death() -> None:
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # no prctl: the parent-id poll below still works
            pass


def _signal_group(sig: int) -> None:
    try:
        os.killpg(0, sig)
    except ProcessLookupError:
        pass


def _take_down(child: subprocess.Popen, grace: float) -> None:
    """SIGTERM to the whole group, ``grace`` seconds for the command, then SIGKILL to what is left."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _signal_group(signal.SIGTERM)
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    sys.stdout.flush()
    _signal_group(signal.SIGKILL)  # ends us too, and any worker that ignored SIGTERM


def main(argv: list[str] | None = None) -> int:
    """Run the command after ``--``; return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    ours, command = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else ([], argv)
    grace = GRACE_SECONDS
    for option in ours:
        if option.startswith("--grace="):
            grace = float(option.partition("=")[2])
    if not command:
        print("usage: python -m labsupport.servers.supervise [--grace=SECONDS] -- COMMAND [ARG...]",
              file=sys.stderr)
        return 2
    if not hasattr(os, "killpg"):  # Windows
        return subprocess.call(command)
    parent = os.getppid()
    _ask_for_signal_on_parent_death()
    if os.getpgid(0) != os.getpid():
        os.setpgid(0, 0)  # lead our own group, so killpg(0) reaches only what we started
    child = subprocess.Popen(command)
    stop = lambda signum, frame: _take_down(child, grace)  # noqa: E731
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)
    while True:
        try:
            code = child.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if os.getppid() != parent:  # orphaned: the kernel is gone
                _take_down(child, grace)
    # The command ended by itself; its own children must not linger.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _signal_group(signal.SIGTERM)
    time.sleep(0.1)
    print(f"[labsupport] server process exited with code {code}", file=sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
