"""Instruments that show what the kernel's event loop is doing: a live request view, a loop watchdog."""

__all__: list[str] = []
