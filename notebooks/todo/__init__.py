"""The to-do app of lessons 08-10: a JSON API on Tornado, with tasks in a database from lesson 09.

    python -m todo --port=8888      (python -m todo --help lists every option)
"""

from .app import make_app

__all__ = ["make_app"]
