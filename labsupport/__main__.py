"""Command line for the course: ``python -m labsupport doctor``, ``grade`` and ``exercises``.

Example::

    python -m labsupport doctor               # prints one line per check, exit status 1 on a failure
    python -m labsupport grade submissions/   # a line per task; exit status 1 unless all passed
    python -m labsupport exercises --check    # lists learner copies that differ from their solutions
"""

from __future__ import annotations

import argparse
import sys

from .paths import course_path

__all__ = ["build_parser", "main"]

_EXERCISES = course_path("exercises")
EXAMPLES = """examples:
  python -m labsupport doctor                    # one line per check; exit status 1 on a failure
  python -m labsupport grade submissions/ --csv grades.csv --junit-xml grades.xml
                                                 # a line per task; exit status 1 unless all passed
  python -m labsupport exercises --check         # lists learner copies that differ from their solutions
  python -m labsupport exercises                 # writes the learner copies again from exercises/solutions

From the course folder, python3 course.py doctor|grade|exercises runs the same in .venv.
Instructors: docs/instructor.md."""


def main(argv: list[str] | None = None) -> int:
    """Run a labsupport command and return its exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "doctor":
        from .doctor import doctor

        report = doctor()
        print(report)
        print("\nAll good: `python3 course.py lab` opens the course." if report.ok
              else "\nSomething needs fixing: see the ✘ lines above.")
        return 0 if report.ok else 1
    if args.command == "grade":
        return _grade(args)
    if args.command == "exercises":
        return _exercises(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


def build_parser() -> argparse.ArgumentParser:
    """The command line: ``doctor``, ``grade`` and ``exercises``, each with an example in its --help.

    Example: ``build_parser().parse_args(["grade", "submissions/"]).paths`` is ``["submissions/"]``.
    """
    parser = argparse.ArgumentParser(prog="python -m labsupport", description="Tornado Lab helpers",
                                     epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="check this machine's setup for the course",
                        epilog="example:\n  python -m labsupport doctor", formatter_class=argparse.RawDescriptionHelpFormatter)
    grade = commands.add_parser("grade", help="run submitted exercise notebooks and score each task",
                                epilog="example:\n  python -m labsupport grade submissions/ --csv grades.csv "
                                       "--junit-xml grades.xml --jobs 2",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    grade.add_argument("paths", nargs="+", metavar="PATH", help="notebooks, or folders searched for them")
    grade.add_argument("--junit-xml", metavar="FILE", help="also write the results as JUnit XML")
    grade.add_argument("--csv", metavar="FILE", help="also write the results as CSV")
    grade.add_argument("--cell-timeout", metavar="S", type=float, default=30.0,
                       help="seconds one cell may run (default: 30)")
    grade.add_argument("--solutions", metavar="DIR", help="solution notebooks (default: exercises/solutions)")
    grade.add_argument("--jobs", metavar="N", type=int, default=1, help="notebooks run at once (default: 1)")
    exercises = commands.add_parser("exercises", help="make the learner copies from exercises/solutions",
                                    epilog="examples:\n  python -m labsupport exercises\n"
                                           "  python -m labsupport exercises --check",
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
    exercises.add_argument("--check", action="store_true",
                           help="write nothing; list stale learner copies, exit status 1 if any")
    exercises.add_argument("--solutions", metavar="DIR", default=_EXERCISES / "solutions", help=argparse.SUPPRESS)
    exercises.add_argument("--out", metavar="DIR", default=_EXERCISES, help=argparse.SUPPRESS)
    return parser


def _grade(args: argparse.Namespace) -> int:
    from .errors import LabError
    from .exercises.grading import grade

    try:
        board = grade(args.paths, solutions_dir=args.solutions, cell_timeout=args.cell_timeout, jobs=args.jobs)
    except LabError as error:
        print(error, file=sys.stderr)
        return 2
    print(board)
    for path, write in ((args.junit_xml, board.write_junit), (args.csv, board.write_csv)):
        if path:
            print(f"wrote {write(path)}")
    return 0 if board.ok else 1


def _exercises(args: argparse.Namespace) -> int:
    from .errors import LabError
    from .exercises.copies import generate, stale

    try:
        if args.check:
            names = stale(args.solutions, args.out)
        else:
            for path in generate(args.solutions, args.out):
                print(f"wrote {path}")
            return 0
    except (LabError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 2
    for name in names:
        print(f"stale: {name}")
    print("Learner copies differ from their solutions: run `python -m labsupport exercises`."
          if names else "Every learner copy matches its solution.")
    return 1 if names else 0


if __name__ == "__main__":
    sys.exit(main())
