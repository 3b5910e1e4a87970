"""Measure servers: the load generator, and the cost of thousands of idle connections (C10K)."""
