"""Kernel integration: the IPython extension, the loop repair it runs, nested loops, Tornado's log lines under a cell."""

__all__: list[str] = []
