"""Hash passwords with scrypt, a deliberately slow hash, on a thread so the event loop stays free."""

import base64
import hashlib
import hmac
import os

from tornado.ioloop import IOLoop

# OWASP's scrypt minimum, in the form that needs 16 MiB: about 0.25 s of one core per hash
N, R, P = 2**14, 8, 5


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024)


async def hash_password(password: str) -> str:
    """A string like ``scrypt$16384$8$5$<salt>$<hash>``, safe to store."""
    salt = os.urandom(16)
    digest = await IOLoop.current().run_in_executor(None, _scrypt, password, salt, N, R, P)
    return "$".join(["scrypt", str(N), str(R), str(P), _b64(salt), _b64(digest)])


async def check_password(password: str, stored: str) -> bool:
    """True when ``password`` hashes to ``stored`` (compared in constant time)."""
    _, n, r, p, salt, digest = stored.split("$")
    computed = await IOLoop.current().run_in_executor(
        None, _scrypt, password, base64.b64decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(computed, base64.b64decode(digest))


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# For a username nobody has: checking against it costs a real hash, and no password matches its
# 64 zero bytes, so a login for an unknown name is as slow as one with a wrong password.
NO_ACCOUNT = "$".join(["scrypt", str(N), str(R), str(P), _b64(bytes(16)), _b64(bytes(64))])
