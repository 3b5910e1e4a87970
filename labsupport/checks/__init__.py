"""The checks behind ``labsupport.check``, one module per lesson; importing registers them.

Example::

    from labsupport.checking import _TASKS
    import labsupport.checks
    sorted(_TASKS)   # ['deadline', 'default-headers', 'gather-with-budget', ...]
"""

from . import event_loop, first_server  # noqa: F401  (each registers its tasks)
