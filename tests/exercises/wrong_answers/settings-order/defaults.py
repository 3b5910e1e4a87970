# Wrong: max_tasks has no default, so with no settings it is None instead of 100.
# Expect: define greeting with default='Hello'
def read_settings(argv: list[str], environ: dict[str, str]) -> dict:
    parser = tornado.options.OptionParser()
    parser.define("greeting", default="Hello")
    parser.define("max_tasks", type=int)
    names = ("greeting", "max_tasks")
    from_environ = [f"--{name}={environ[name.upper()]}" for name in names if name.upper() in environ]
    try:
        parser.parse_command_line([argv[0], *from_environ, *argv[1:]])
    except (tornado.options.Error, ValueError) as exc:
        sys.exit(f"settings: {exc}")
    return {name: parser[name] for name in names}
