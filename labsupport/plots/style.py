"""The one style of the course's figures: font sizes that read from the back of a room.

Example::

    from labsupport.plots.style import LABEL_SIZE
    ax.set_xlabel("latency (ms)", fontsize=LABEL_SIZE)
"""

from __future__ import annotations

__all__ = ["LABEL_SIZE", "TICK_SIZE", "TITLE_SIZE"]

TITLE_SIZE = 14
LABEL_SIZE = 13
TICK_SIZE = 12
