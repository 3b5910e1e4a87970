"""Whether the running cell came from a front end that shows live displays (JupyterLab), or not.

JupyterLab (and Notebook 7, VS Code) send a ``cellId`` with every execute request and render
ipywidgets; nbval and ``jupyter nbconvert --execute`` send no ``cellId`` and compare or save
outputs, so anything that updates by itself must fall back to stable text there. Example::

    from labsupport.kernel.frontend import live_front_end
    live_front_end()    # True in JupyterLab, False under nbval or in a terminal

``LABSUPPORT_LIVE=1`` (or ``0``) in the environment forces the answer, for tests.
"""

from __future__ import annotations

import importlib.util
import os

from .cell_request import current_request

__all__ = ["live_front_end"]


def live_front_end() -> bool:
    """True when the running cell's request carries a ``cellId`` and ipywidgets can be imported."""
    forced = os.environ.get("LABSUPPORT_LIVE", "")
    if forced in ("0", "1"):
        return forced == "1"
    if not (current_request().get("metadata") or {}).get("cellId"):
        return False
    return importlib.util.find_spec("ipywidgets") is not None
