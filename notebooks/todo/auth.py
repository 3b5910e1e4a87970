"""AccountView: who is logged in (a signed cookie) and whose data a request may touch."""

from sqlalchemy import select

from .base import ApiError, BaseView
from .database import SessionMixin
from .models import Profile

COOKIE = "todo_user"


class AccountView(SessionMixin, BaseView):
    """A view whose requests may belong to a logged-in account."""

    async def logged_in(self) -> Profile | None:
        """The profile whose id is in the signed login cookie, or None."""
        profile_id = self.get_signed_cookie(COOKIE, max_age_days=14)
        if profile_id is None:
            return None
        return await self.session.get(Profile, int(profile_id))

    async def owner(self, username: str) -> Profile:
        """The logged-in profile, if it is ``username``'s: else 401 (nobody logged in) or 403."""
        profile = await self.logged_in()
        if profile is None:
            raise ApiError(401, "log in first: POST /api/v1/accounts/login")
        if profile.username != username:
            raise ApiError(403, f"you are logged in as {profile.username!r}; {username!r} is not yours")
        return profile

    async def find_profile(self, username: str) -> Profile | None:
        return await self.session.scalar(select(Profile).where(Profile.username == username))

    def log_in(self, profile: Profile) -> None:
        self.set_signed_cookie(COOKIE, str(profile.id), expires_days=14, httponly=True, samesite="Strict")

    def log_out(self) -> None:
        self.clear_cookie(COOKIE)
