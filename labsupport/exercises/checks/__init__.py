"""The checks behind ``labsupport.check``, one module per lesson; importing registers them all.

Every module of this package registers its tasks with ``@task`` when imported, so a new
lesson's checks only need a new module here. Example::

    from labsupport.exercises.check import TASKS
    import labsupport.exercises.checks
    sorted(TASKS)   # ['deadline', 'default-headers', 'gather-with-budget', ...]
"""

import importlib
import pkgutil

__all__: list[str] = []

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
