"""The check of lesson 10's test-writing exercise: a test of ownership must pass and catch bugs.

The learner's ``AsyncHTTPTestCase`` runs against the real app, then against three copies whose
ownership check is broken (mutants); it must pass on the first and fail on each of the others.
Example, in ``exercises/10-add-accounts-and-test-the-app.ipynb``::

    await labsupport.check("test-ownership", OwnershipTest)
"""

from __future__ import annotations

import asyncio
import unittest

import tornado.testing

from ..check import CheckFailed, requirement, task
from .support import route_rules
from .todo_app import todo_app

__all__: list[str] = []


def _broken_owner(kind: str):
    """A broken AccountView.owner: "lax" has no 403, "open" no 401, "closed" answers 403 even to the owner,
    and "swapped" answers 403 without a login and 401 to someone else."""
    async def owner(self, username: str):
        from todo.base import ApiError
        from todo.models import Profile
        login = self.current_user  # (profile id, password stamp) from the login cookie, or None
        profile = None if login is None else await self.session.get(Profile, login[0])
        if profile is None and kind == "open":
            profile = await self.find_profile(username)
        if profile is None:
            raise ApiError(403 if kind == "swapped" else 401, "log in first: POST /api/v1/accounts/login")
        if kind == "closed" or (kind != "lax" and profile.username != username):
            raise ApiError(401 if kind == "swapped" else 403, f"you are logged in as {profile.username!r}; {username!r} is not yours")
        return profile
    return owner


def _broken_check_owner(kind: str):
    """AccountView.check_owner (lesson 12: the task list checks a row it read itself) broken as ``kind`` says."""
    def check_owner(self, profile, username: str) -> None:
        from todo.auth import stamp
        from todo.base import ApiError
        login = self.current_user
        if profile is None or login is None or stamp(profile) != login[1]:
            if kind == "open":
                return
            raise ApiError(403 if kind == "swapped" else 401, "log in first: POST /api/v1/accounts/login")
        if kind == "closed" or (kind != "lax" and profile.username != username):
            raise ApiError(401 if kind == "swapped" else 403, f"you are logged in as {profile.username!r}; {username!r} is not yours")
    return check_owner


_MUTANTS = {  # mutant: (the requirement it tests, what is broken, the hint)
    "closed": ("owner-200", "nobody may read their own tasks (403 for everyone)",
               "read your own tasks with your login cookie and expect 200."),
    "lax": ("other-403", "anyone logged in may read anyone's tasks (no 403)",
            "log in as one user, read another user's tasks, and expect 403."),
    "open": ("no-login-401", "a request without a login cookie is answered as if the owner had sent it (no 401)",
             "fetch the tasks without a login cookie (no headers) and expect 401."),
    "swapped": ("exact-codes", "401 and 403 are swapped (403 without a login, 401 for someone else)",
                "expect exactly 401 without a login and exactly 403 for someone else, with assertEqual: "
                "a test that only checks the answer is not 200 cannot tell them apart."),
}


def _run_tests(case: type, mutant: str | None) -> unittest.TestResult:
    """Run ``case``'s tests (on an app whose AccountView.owner is broken as ``mutant`` says); in a thread."""
    todo = todo_app()

    def get_app(self):
        app = case.get_app(self)
        if mutant is not None:
            for rule in route_rules(app.wildcard_router):
                if isinstance(rule.target, type) and issubclass(rule.target, todo.auth.AccountView):
                    broken = {"owner": _broken_owner(mutant)}
                    if hasattr(rule.target, "check_owner"):  # lesson 12's app
                        broken["check_owner"] = _broken_check_owner(mutant)
                    rule.target = type(rule.target.__name__, (rule.target,), broken)
        return app

    probe = type(case.__name__, (case,), {"get_app": get_app})
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(probe).run(result)
    return result


def _first_problem(result: unittest.TestResult) -> str:
    test, trace = (result.failures + result.errors)[0]
    last = [line for line in trace.strip().splitlines() if line.strip()][-1].strip()
    return f"{test.id().rsplit('.', 1)[-1]}: {last}"


@task("test-ownership", budget=30, requirements={
    "passes": "the tests pass on the working app",
    "owner-200": "the tests fail on an app that lets nobody read their own tasks: they expect 200 for the owner",
    "other-403": "the tests fail on an app with no 403: they expect 403 for someone else",
    "no-login-401": "the tests fail on an app that needs no login: they expect 401 without a login",
    "exact-codes": "the tests fail on an app with 401 and 403 swapped: they tell one from the other",
})
async def test_ownership(answer) -> str:
    if not (isinstance(answer, type) and issubclass(answer, tornado.testing.AsyncHTTPTestCase)):
        raise CheckFailed(f"OwnershipTest should be a class that subclasses TodoTestCase, not "
                          f"{answer.__name__ if isinstance(answer, type) else type(answer).__name__}. "
                          "Did you run the cell that defines it?")
    names = unittest.defaultTestLoader.getTestCaseNames(answer)
    if not names:
        raise CheckFailed("OwnershipTest has no tests. Hint: write a method whose name starts with test_.")
    requirement("passes")
    result = await asyncio.to_thread(_run_tests, answer, None)
    if any("NotImplementedError" in trace for _, trace in result.errors):
        raise NotImplementedError
    if not result.wasSuccessful():
        raise CheckFailed(f"your tests fail on the working app ({_first_problem(result)}). Hint: the app answers "
                          "200 to the owner, 401 without a login cookie and 403 to someone else; "
                          "self.account(name) gives the headers of a logged-in user.")
    for mutant, (key, broken, hint) in _MUTANTS.items():
        requirement(key)
        if (await asyncio.to_thread(_run_tests, answer, mutant)).wasSuccessful():
            raise CheckFailed(f"your tests pass on an app where {broken}, so they would not catch that bug. Hint: {hint}")
    tests = f"{len(names)} tests pass" if len(names) != 1 else "1 test passes"
    return (f"{tests} on the app, and fail{'s' if len(names) == 1 else ''} on each of 4 broken ownership checks "
            "(no 401, no 403, 403 for the owner, 401 and 403 swapped)")
