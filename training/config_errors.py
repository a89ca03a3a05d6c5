"""Pydantic's validation errors as one line each: `my.yaml: train.batch_token: unknown key (did you mean batch_tokens?)`.

Pydantic prints several lines per error, with a documentation URL; a config file's reader wants the key and what is
wrong with it, and a near miss named."""
from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails


def one_line(error: ValidationError, raw: Any, schema: type[BaseModel]) -> str:
    """Every distinct problem, `key: message`, joined by '; ' (a union's alternatives make one message)."""
    seen: dict[str, str] = {}
    for err in _likeliest_members(error.errors(), raw):
        keys = _keys(err["loc"], raw)
        where = ".".join(map(str, keys)) or "(top level)"
        if where not in seen:
            seen[where] = _message(err, keys, schema)
    return "; ".join(f"{where}: {message}" for where, message in seen.items())


def _likeliest_members(errors: list[ErrorDetails], raw: Any) -> list[ErrorDetails]:
    """Where a value matches no member of a union, the errors of the member it came closest to (the one whose
    errors reach deepest into the value): a list of corpora with a bad weight is not also "not a valid path"."""
    depth: dict[tuple, dict] = {}  # (deepest, -errors) of each member: of two as deep, the one with fewer errors
    for err in errors:
        union = _union_at(err["loc"], raw)
        if union is not None:
            best = depth.setdefault(union[0], {})
            deepest, count = best.get(union[1], (0, 0))
            best[union[1]] = (max(deepest, len(_keys(err["loc"], raw))), count - 1)
    def keep(err: ErrorDetails) -> bool:
        union = _union_at(err["loc"], raw)
        if union is None:
            return True
        members = depth[union[0]]
        return union[1] == max(members, key=members.__getitem__)
    return [err for err in errors if keep(err)]


def _union_at(loc: tuple, raw: Any) -> tuple[tuple, str] | None:
    """(where, member) if loc passes through a union member's name, else None."""
    node = raw
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif i < len(loc) - 1 or not isinstance(node, dict | None):
            return tuple(loc[:i]), str(part)
    return None


def _keys(loc: tuple, raw: Any) -> list:
    """The part of loc that names keys and list positions of the YAML (pydantic adds union members' type names)."""
    keys, node = [], raw
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            keys.append(part)
        elif i == len(loc) - 1 and (isinstance(node, dict | None) or isinstance(node, list) and isinstance(part, int)):
            keys.append(part)  # a required key, or a list's item (the target of [source, target]), that is missing
    return keys


def _message(err: ErrorDetails, keys: list, schema: type[BaseModel]) -> str:
    if err["type"] == "missing" and keys and isinstance(keys[-1], int):
        return "item missing"  # pydantic's "Field required" for a list that is too short
    if err["type"] != "extra_forbidden":
        return err["msg"]
    known = list(_fields_at(schema, keys[:-1]))
    close = difflib.get_close_matches(str(keys[-1]), known, n=1)
    return "unknown key" + (f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})" if known else "")


def _fields_at(schema: type[BaseModel], keys: list) -> dict:
    """The fields of the model that keys lead to (list positions skipped), or {} where that is not a model."""
    model: Any = schema
    for key in keys:
        if isinstance(key, int):
            continue
        field = getattr(model, "model_fields", {}).get(key)
        if field is None:
            return {}
        model = _model_in(field.annotation)
    return getattr(model, "model_fields", {})


def _model_in(annotation: Any) -> Any:
    """The BaseModel class an annotation holds (directly, in a list, or in a union), else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
