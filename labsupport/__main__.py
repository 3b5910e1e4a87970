"""Command line for the course: ``python -m labsupport doctor``.

Example::

    python -m labsupport doctor     # prints one line per check, exit status 1 on a failure
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run a labsupport command and return its exit status."""
    parser = argparse.ArgumentParser(prog="python -m labsupport", description="Tornado Lab helpers")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="check this machine's setup for the course")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from .doctor import doctor

        report = doctor()
        print(report)
        print("\nAll good: `python3 course.py lab` opens the course." if report.ok
              else "\nSomething needs fixing: see the ✘ lines above.")
        return 0 if report.ok else 1
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
