"""Measure servers: the load generator, and the cost of thousands of idle connections (C10K)."""

__all__: list[str] = []
