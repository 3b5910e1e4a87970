"""Kernel integration: the IPython extension, the loop repair it runs, nested loops, Tornado's log lines under a cell."""
