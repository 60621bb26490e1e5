"""The Python names openapi-python-client (0.29.1) derives from a contract.

Mirrors `openapi_python_client.strings` so a rename is judged by what the generated client
actually calls things; the generator is a dev tool, not a runtime dependency of meshdev.
"""

from __future__ import annotations

import builtins
import re
from keyword import iskeyword

_DELIMITERS = r"\. _-"
_RESERVED = (set(dir(builtins)) | {"self", "true", "false", "datetime"}) - {"id"}


def _sanitize(value: str) -> str:
    return "".join(c for c in value if c.isidentifier() or c.isdecimal() or c in _DELIMITERS)


def _split_words(value: str) -> list[str]:
    if any(c.isupper() for c in value):
        value = " ".join(re.split("([A-Z]?[a-z]+)", value))
    return re.findall(rf"[^{re.escape(_DELIMITERS)}]+", value)


def _fix_reserved(value: str) -> str:
    return f"{value}_" if value in _RESERVED or iskeyword(value) else value


def snake_case(value: str) -> str:
    return "_".join(_split_words(_sanitize(value))).lower()


def pascal_case(value: str) -> str:
    words = _split_words(_sanitize(value))
    return "".join(word if word.isupper() else word.capitalize() for word in words)


def identifier(value: str, prefix: str) -> str:
    """A module or argument name, as `PythonIdentifier` makes it."""
    leading_underscore = _sanitize(value).startswith("_")
    name = _fix_reserved(snake_case(value))
    if not name.isidentifier() or leading_underscore:
        name = f"{prefix}{name}"
    return name


def class_name(value: str) -> str:
    """A model or enum class name, as `ClassName` makes it."""
    name = _fix_reserved(pascal_case(value))
    if not name.isidentifier():
        name = _fix_reserved(pascal_case(f"field_{name}"))
    return name


def component_class(key: str, schema: dict[str, object]) -> str | None:
    """The class a component schema becomes, or None when it becomes a plain type.

    Components are named after their `title` when they have one (the generator's default,
    `use_path_prefixes_for_title_model_names`), else after their key.
    """
    if not _makes_class(schema):
        return None
    title = schema.get("title")
    return class_name(title if isinstance(title, str) and title else key)


def _makes_class(schema: dict[str, object]) -> bool:
    kind = schema.get("type")
    return "enum" in schema or kind == "object" or "properties" in schema


def function_module(operation: dict[str, object], method: str, path: str) -> str:
    """The module under `api/<tag>/` holding an operation's sync and async functions."""
    op_id = operation.get("operationId")
    if isinstance(op_id, str):
        return identifier(op_id, "field_")
    unsafe = path.replace("{", "").replace("}", "").replace("/", "_")
    unsafe = unsafe.removeprefix("_").removesuffix("_")
    return identifier(f"{method}_{unsafe}", "field_")


def tag_package(operation: dict[str, object]) -> str:
    """The package under `api/` an operation lands in: its first tag, or `default`."""
    tags = operation.get("tags")
    first = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else "default"
    return identifier(first, "tag")
