"""A to-do list API on Tornado and SQLAlchemy 2 (asyncio): accounts, logins and their tasks.

    python -m todo --port=8888 --database_url=sqlite+aiosqlite:///todo.db
"""

from .app import make_app

__all__ = ["make_app"]
