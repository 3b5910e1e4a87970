"""Check the fields of a request body; collect every problem, one message per field."""

import re
from dataclasses import dataclass
from datetime import date

from .base import ApiError


@dataclass(frozen=True)
class Field:
    """One expected field: ``kind`` is "text", "date" (YYYY-MM-DD or null) or "bool"."""

    kind: str = "text"
    required: bool = False
    max_length: int = 100
    min_length: int = 0
    pattern: str = ""  # a regular expression the whole text must match
    looks_like: str = ""  # says what the pattern wants, for the error message
    strip: bool = True  # drop spaces around the text (not for passwords)
    reserved: tuple[str, ...] = ()  # texts the pattern lets through but the field refuses


def clean(data: dict, fields: dict[str, Field], *, partial: bool = False) -> dict:
    """The values of ``data`` checked against ``fields``; raises a 400 ApiError naming each bad field.

    ``partial`` (for PUT) makes every field optional but asks for at least one.
    """
    problems = {name: "unknown field; expected " + ", ".join(fields) for name in data if name not in fields}
    cleaned = {}
    for name, field in fields.items():
        if name not in data:
            if field.required and not partial:
                problems[name] = "required"
            continue
        try:
            cleaned[name] = _convert(data[name], field)
        except ValueError as exc:
            problems[name] = str(exc)
    if partial and not cleaned and not problems:
        problems = {name: "give at least one of " + ", ".join(fields) for name in fields}
    if problems:
        raise ApiError(400, "some fields are missing or wrong", fields=problems)
    return cleaned


def _convert(value, field: Field):
    if field.kind == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):  # form bodies carry only strings
            return value == "true"
        raise ValueError(f"must be true or false, not {value!r}")
    if field.kind == "date":
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise ValueError(f"must be a date like \"2026-12-31\" or null, not {value!r}")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"must be a date like \"2026-12-31\", not {value!r}") from None
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {type(value).__name__}")
    if "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value):  # PostgreSQL refuses NUL; UTF-8 has no lone surrogates
        raise ValueError("must be text without NUL characters or lone surrogates")
    if field.strip:
        value = value.strip()
    if not field.min_length <= len(value) <= field.max_length:
        raise ValueError(f"must have {field.min_length} to {field.max_length} characters, not {len(value)}")
    if field.pattern and not re.fullmatch(field.pattern, value):
        raise ValueError(f"must look like {field.looks_like}")
    if value in field.reserved:
        raise ValueError(f"{value!r} is reserved for the app; choose another name")
    return value
