"""The official SDK models as the referee of answer shapes: every field the emulator writes must be one the
model declares (the new TypeSpec-generated models accept unknown keys silently, so a typo would pass unseen).

``unknown_fields(models.VirtualMachine, body)`` walks the model's REST fields (``rest_field(name=...)``) and their
annotated types (nested models, lists, dicts, discriminated subtypes) and returns the JSON paths it does not know.
"""

from __future__ import annotations

import sys
import types
import typing
from typing import Any


def _rest_fields(cls: type) -> dict[str, tuple[str, Any]]:
    """``{rest name: (attribute, annotation)}`` of a model class, its bases included."""
    module = sys.modules[cls.__module__]
    package = sys.modules[cls.__module__.rsplit(".", 1)[0]]
    hints = typing.get_type_hints(cls, globalns={**vars(module), "_models": package})
    out = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            if attr.startswith("_") or not hasattr(value, "_type") or not hasattr(value, "_rest_name_input"):
                continue
            out[value._rest_name_input or attr] = (attr, hints.get(attr))
    return out


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and hasattr(kind, "_is_model")


def _concrete(cls: type, data: dict[str, Any]) -> type:
    """The discriminated subtype ``data`` names, when ``cls`` is a polymorphic base."""
    mapping = getattr(cls, "__mapping__", None)
    if not mapping:
        return cls
    for name, (attr, _) in _rest_fields(cls).items():
        field = vars(cls).get(attr) or next((vars(k)[attr] for k in cls.__mro__ if attr in vars(k)), None)
        if getattr(field, "_is_discriminator", False) and name in data:
            return mapping.get(data[name], cls)
    return cls


def unknown_fields(kind: Any, data: Any, path: str = "$") -> list[str]:
    """JSON paths in ``data`` that the SDK type ``kind`` does not declare."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        models = [a for a in options if _is_model(a) or typing.get_origin(a) in (list, dict)]
        return unknown_fields(models[0], data, path) if models else []
    if origin is list and isinstance(data, list):
        (item,) = typing.get_args(kind)
        return [p for i, value in enumerate(data) for p in unknown_fields(item, value, f"{path}[{i}]")]
    if origin is dict and isinstance(data, dict):
        _, value_kind = typing.get_args(kind)
        return [p for key, value in data.items() for p in unknown_fields(value_kind, value, f"{path}.{key}")]
    if not (_is_model(kind) and isinstance(data, dict)):
        return []
    cls = _concrete(kind, data)
    fields = _rest_fields(cls)
    out = []
    for key, value in data.items():
        if key not in fields:
            out.append(f"{path}.{key}")
        else:
            out += unknown_fields(fields[key][1], value, f"{path}.{key}")
    return out
