# Wrong: exits with a message that does not say what was wrong.
# Expect: so that the user sees what was wrong
def read_settings(argv: list[str], environ: dict[str, str]) -> dict:
    parser = tornado.options.OptionParser()
    parser.define("greeting", default="Hello")
    parser.define("max_tasks", default=100)
    names = ("greeting", "max_tasks")
    from_environ = [f"--{name}={environ[name.upper()]}" for name in names if name.upper() in environ]
    try:
        parser.parse_command_line([argv[0], *from_environ, *argv[1:]])
    except (tornado.options.Error, ValueError) as exc:
        sys.exit("settings: a value is wrong")
    return {name: parser[name] for name in names}
