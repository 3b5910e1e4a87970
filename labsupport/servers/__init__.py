"""Servers for lessons: on the kernel's own loop (``serve``), in supervised processes (``serve_process``), the to-do app, the one registry of what runs, and links to them."""

__all__: list[str] = []
