"""AccountView: who is logged in (a signed cookie) and whose data a request may touch."""

from sqlalchemy import select

from .base import ApiError, BaseView
from .database import SessionMixin
from .models import Profile

COOKIE = "todo_user"


class AccountView(SessionMixin, BaseView):
    """A view under /api/v1/accounts/<username>: only that account, logged in, may use it."""

    async def find_profile(self, username: str) -> Profile | None:
        return await self.session.scalar(select(Profile).where(Profile.username == username))

    def get_current_user(self) -> int | None:
        """The profile id in the signed login cookie, or None: Tornado's self.current_user."""
        profile_id = self.get_signed_cookie(COOKIE, max_age_days=14)
        return int(profile_id) if profile_id is not None else None

    async def owner(self, username: str) -> Profile:
        """The logged-in profile, if it is ``username``'s: else 401 (nobody logged in) or 403."""
        profile = None if self.current_user is None else await self.session.get(Profile, self.current_user)
        if profile is None:  # no cookie, a forged one, or the account is gone
            raise ApiError(401, "log in first: POST /api/v1/accounts/login")
        if profile.username != username:
            raise ApiError(403, f"you are logged in as {profile.username!r}; {username!r} is not yours")
        return profile

    def log_in(self, profile: Profile) -> None:
        self.set_signed_cookie(COOKIE, str(profile.id), expires_days=14, httponly=True, samesite="Strict")

    def log_out(self) -> None:
        self.clear_cookie(COOKIE)
