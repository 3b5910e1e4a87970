"""Measure servers: the load generator, and the cost of thousands of idle connections (C10K).

- :mod:`.loadgen`: ``load()`` and ``sweep()``, many timed requests a few at a time.
- :mod:`.c10k`: hold thousands of idle connections to :mod:`.c10k_servers` and weigh them.
- :mod:`.profiling`: ``profile_shares()``, where a ``cProfile`` run spent its time, by part.
- :mod:`.cpu`: ``cpu_seconds(process_tree(pid))``, the CPU a server's processes and threads used.
- :mod:`.http11`: the HTTP/1.1 client both use (loopback targets only), on Tornado's ``IOStream``.
- :mod:`.options`, :mod:`.filelimit`: their option checks and the open-file limit.
"""

__all__: list[str] = []
