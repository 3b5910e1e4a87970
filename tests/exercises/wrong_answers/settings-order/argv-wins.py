# Wrong: puts the environment after the command line, so GREETING=Hi beats --greeting=Hey.
# Expect: the command line wins
def read_settings(argv: list[str], environ: dict[str, str]) -> dict:
    parser = tornado.options.OptionParser()
    parser.define("greeting", default="Hello")
    parser.define("max_tasks", default=100)
    names = ("greeting", "max_tasks")
    from_environ = [f"--{name}={environ[name.upper()]}" for name in names if name.upper() in environ]
    try:
        parser.parse_command_line([*argv, *from_environ])
    except (tornado.options.Error, ValueError) as exc:
        sys.exit(f"settings: {exc}")
    return {name: parser[name] for name in names}
