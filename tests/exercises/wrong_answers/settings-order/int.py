# Wrong: takes the environment's values as the defaults: the order is right, but MAX_TASKS=5 makes the
# default the text "5", so max_tasks becomes an option of type str.
# Expect: expected the int 5
def read_settings(argv: list[str], environ: dict[str, str]) -> dict:
    parser = tornado.options.OptionParser()
    parser.define("greeting", default=environ.get("GREETING", "Hello"))
    parser.define("max_tasks", default=environ.get("MAX_TASKS", 100))
    try:
        parser.parse_command_line(argv)
    except (tornado.options.Error, ValueError) as exc:
        sys.exit(f"settings: {exc}")
    return {name: parser[name] for name in ("greeting", "max_tasks")}
