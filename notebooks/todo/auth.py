"""AccountView: who is logged in (a signed cookie) and whose data a request may touch."""

from sqlalchemy import select

from .base import ApiError, BaseView
from .database import SessionMixin
from .models import Profile

COOKIE = "todo_user"


def stamp(profile) -> str:
    """Changes whenever the password does: the salt of its hash, drawn anew for each hash.

    ``profile`` is a Profile or a row with its password_hash column.
    """
    parts = profile.password_hash.split("$")
    return parts[4] if len(parts) == 6 else ""  # lesson 09's profiles have no password, and no logins


class AccountView(SessionMixin, BaseView):
    """A view under /api/v1/accounts/<username>: only that account, logged in, may use it."""

    async def find_profile(self, username: str) -> Profile | None:
        return await self.session.scalar(select(Profile).where(Profile.username == username))

    def get_current_user(self) -> tuple[int, str] | None:
        """(profile id, stamp) from the signed login cookie, or None: Tornado's self.current_user."""
        value = self.get_signed_cookie(COOKIE, max_age_days=14) or b""
        profile_id, _, login_stamp = value.decode().partition(":")
        return (int(profile_id), login_stamp) if profile_id.isdecimal() else None

    async def owner(self, username: str) -> Profile:
        """The logged-in profile, if it is ``username``'s: else 401 (nobody logged in) or 403."""
        login = self.current_user
        profile = None if login is None else await self.session.get(Profile, login[0])
        self.check_owner(profile, username)
        return profile

    def check_owner(self, profile, username: str) -> None:
        """401 unless ``profile`` is the logged-in one, 403 unless it is ``username``'s.

        ``profile`` is a Profile, a row with its username and password_hash columns, or None.
        """
        login = self.current_user
        if profile is None or login is None or stamp(profile) != login[1]:  # no login, an outdated one, or no account
            raise ApiError(401, "log in first: POST /api/v1/accounts/login")
        if profile.username != username:
            raise ApiError(403, f"you are logged in as {profile.username!r}; {username!r} is not yours")

    def log_in(self, profile: Profile) -> None:
        self.set_signed_cookie(COOKIE, f"{profile.id}:{stamp(profile)}", expires_days=14,
                               httponly=True, samesite="Strict")

    def log_out(self) -> None:
        self.clear_cookie(COOKIE)
