# Wrong: reads the process's os.environ instead of the dict it is given.
# Expect: not os.environ
import os


def read_settings(argv: list[str], environ: dict[str, str]) -> dict:
    parser = tornado.options.OptionParser()
    parser.define("greeting", default="Hello")
    parser.define("max_tasks", default=100)
    names = ("greeting", "max_tasks")
    from_environ = [f"--{name}={os.environ[name.upper()]}" for name in names if name.upper() in os.environ]
    try:
        parser.parse_command_line([argv[0], *from_environ, *argv[1:]])
    except (tornado.options.Error, ValueError) as exc:
        sys.exit(f"settings: {exc}")
    return {name: parser[name] for name in names}
