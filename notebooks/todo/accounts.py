"""The account views: register, log in and out, read, change and delete a profile."""

from sqlalchemy.exc import IntegrityError

from .auth import AccountView
from .base import ApiError
from .database import in_transaction
from .models import Profile
from .passwords import NO_ACCOUNT, check_password, hash_password
from .validation import Field, clean

# Names the pattern lets through but whose /api/v1/accounts/<name> is not theirs: another route's,
# or a path that clients rewrite ("/accounts/../tasks" is sent as "/tasks")
RESERVED = ("login", "logout", ".", "..")
USERNAME = Field(required=True, max_length=40, pattern=r"[A-Za-z0-9_.-]+", reserved=RESERVED,
                 looks_like="ada_lovelace (letters, digits, '_', '.', '-')")
EMAIL = Field(required=True, max_length=254, pattern=r"[^@\s]+@[^@\s]+", looks_like="ada@example.org")
PASSWORD = Field(required=True, min_length=8, max_length=200, strip=False, pattern=r"(?s).*\S.*",
                 looks_like="a password with some characters that are not spaces")
ANY_PASSWORD = Field(required=True, max_length=200, strip=False)  # logging in: no hint about the rules


class RegisterView(AccountView):
    """POST {"username", "email", "password"} creates an account (201)."""

    @in_transaction
    async def post(self) -> None:
        fields = clean(self.form_data, {"username": USERNAME, "email": EMAIL, "password": PASSWORD})
        password_hash = await hash_password(fields["password"])  # before the session holds a connection
        if await self.find_profile(fields["username"]) is not None:
            raise ApiError(409, f"the username {fields['username']!r} is taken")
        profile = Profile(username=fields["username"], email=fields["email"], password_hash=password_hash)
        self.session.add(profile)
        try:
            await self.session.flush()
        except IntegrityError:  # registered by a concurrent request since our check
            raise ApiError(409, f"the username {fields['username']!r} is taken") from None
        self.send(profile.to_dict(), 201)


class LoginView(AccountView):
    """POST {"username", "password"} sets the signed login cookie."""

    async def post(self) -> None:
        fields = clean(self.form_data, {"username": USERNAME, "password": ANY_PASSWORD})
        async with self.session.begin():  # ends before the slow check, so the connection is free
            profile = await self.find_profile(fields["username"])
        # an unknown name costs a hash too: how long the answer takes does not tell which names exist
        stored = (profile.password_hash if profile else "") or NO_ACCOUNT  # lesson 09's profiles have none
        right = await check_password(fields["password"], stored)
        if profile is None or not right:
            raise ApiError(401, "wrong username or password")
        self.log_in(profile)
        self.send(profile.to_dict())


class LogoutView(AccountView):
    """POST clears the login cookie."""

    def post(self) -> None:
        self.log_out()
        self.send({"message": "logged out"})


class ProfileView(AccountView):
    """GET, PUT (email, password) and DELETE your own profile, the last two with current_password."""

    @in_transaction
    async def get(self, username: str) -> None:
        self.send((await self.owner(username)).to_dict())

    async def confirm(self, username: str) -> dict:
        """The body without its current_password, once that is the owner's password: else 400 or 401."""
        async with self.session.begin():  # who is asking; the transaction ends before the slow check
            stored = (await self.owner(username)).password_hash
        body = dict(self.form_data)
        given = body.pop("current_password", None)
        if not isinstance(given, str) or not given:
            raise ApiError(400, "changing or deleting an account asks for its password",
                           fields={"current_password": "required: the password you log in with now"})
        if not await check_password(given, stored):  # on a thread, holding no database connection
            raise ApiError(401, "wrong password", fields={"current_password": "not this account's password"})
        self.session.expire_all()  # read the profile again: it may have changed, or gone, meanwhile
        return body

    async def put(self, username: str) -> None:
        fields = clean(await self.confirm(username), {"email": EMAIL, "password": PASSWORD}, partial=True)
        if "password" in fields:
            fields["password_hash"] = await hash_password(fields.pop("password"))
        async with self.session.begin():  # a second, short transaction stores the change
            profile = await self.owner(username)
            for name, value in fields.items():
                setattr(profile, name, value)
        if "password_hash" in fields:  # a new stamp: this client gets a new cookie, and older ones get 401
            self.log_in(profile)
        self.send(profile.to_dict())

    async def delete(self, username: str) -> None:
        await self.confirm(username)
        async with self.session.begin():
            await self.session.delete(await self.owner(username))
        self.log_out()
        self.send(None, 204)
