# Wrong: defines the options once, on a parser shared by every call, so a value from one call stays for the next.
# Expect: a parser of the call's own
parser = tornado.options.OptionParser()
parser.define("greeting", default="Hello")
parser.define("max_tasks", default=100)


def read_settings(argv: list[str], environ: dict[str, str]) -> dict:
    names = ("greeting", "max_tasks")
    from_environ = [f"--{name}={environ[name.upper()]}" for name in names if name.upper() in environ]
    try:
        parser.parse_command_line([argv[0], *from_environ, *argv[1:]])
    except (tornado.options.Error, ValueError) as exc:
        sys.exit(f"settings: {exc}")
    return {name: parser[name] for name in names}
