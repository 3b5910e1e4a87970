# Wrong: adds a variable only when argv does not name the option, looking for "--max_tasks" with an
# underscore: --max-tasks=9 is not seen, so MAX_TASKS, parsed after it, wins.
# Expect: do not look for an option's spelling in argv yourself
def read_settings(argv: list[str], environ: dict[str, str]) -> dict:
    parser = tornado.options.OptionParser()
    parser.define("greeting", default="Hello")
    parser.define("max_tasks", default=100)
    names, given = ("greeting", "max_tasks"), " ".join(argv)
    from_environ = [f"--{name}={environ[name.upper()]}" for name in names
                    if name.upper() in environ and f"--{name}" not in given]
    try:
        parser.parse_command_line([*argv, *from_environ])
    except (tornado.options.Error, ValueError) as exc:
        sys.exit(f"settings: {exc}")
    return {name: parser[name] for name in names}
