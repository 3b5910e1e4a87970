"""Figures for lessons, in one projector-sized style: request timelines, latencies, throughput, step counts, C10K."""

__all__: list[str] = []
