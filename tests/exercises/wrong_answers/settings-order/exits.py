# Wrong: catches only tornado.options.Error, so --max_tasks=many raises ValueError instead of exiting.
# Expect: there is more than one kind
def read_settings(argv: list[str], environ: dict[str, str]) -> dict:
    parser = tornado.options.OptionParser()
    parser.define("greeting", default="Hello")
    parser.define("max_tasks", default=100)
    names = ("greeting", "max_tasks")
    from_environ = [f"--{name}={environ[name.upper()]}" for name in names if name.upper() in environ]
    try:
        parser.parse_command_line([argv[0], *from_environ, *argv[1:]])
    except (tornado.options.Error) as exc:
        sys.exit(f"settings: {exc}")
    return {name: parser[name] for name in names}
