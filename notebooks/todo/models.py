"""The tables: a Profile (an account) owns its Tasks."""

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .database import Base

# 64-bit ids on PostgreSQL (ids up to 18 digits reach the views); SQLite's AUTOINCREMENT needs INTEGER
ID = BigInteger().with_variant(Integer, "sqlite")


def now() -> datetime:
    """The current time in UTC, without a zone: SQLite and PostgreSQL then store the same thing."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class Profile(Base):
    __tablename__ = "profiles"
    __table_args__ = {"sqlite_autoincrement": True}  # never reuse a deleted account's id

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(default=now)
    tasks: Mapped[list["Task"]] = relationship(back_populates="owner", cascade="all, delete-orphan",
                                               passive_deletes=True)

    def to_dict(self) -> dict:
        return {"username": self.username, "email": self.email, "created": self.created.isoformat() + "Z"}


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(default=now)
    due_date: Mapped[date | None]
    completed: Mapped[bool] = mapped_column(default=False)
    owner_id: Mapped[int] = mapped_column(ID, ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    owner: Mapped[Profile] = relationship(back_populates="tasks")

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "note": self.note,
                "created": self.created.isoformat() + "Z",
                "due_date": self.due_date.isoformat() if self.due_date else None,
                "completed": self.completed}
