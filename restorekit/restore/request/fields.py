"""What a form needs to know about a restore request's keywords: label, widget kind, help, choices.

The builders declare each keyword as a dataclass field made with :func:`option` (its metadata is the form's
description of it); :func:`specs` reads them back, in order, as :class:`FieldSpec`. The request stays a plain
value: nothing here reads or sends anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:  # pragma: no cover
    from ...core.json_values import Json

#: A keyword's value as a person gives it: a name or an ID, a flag, days, a list, a JSON object.
OptionValue: TypeAlias = "str | int | bool | timedelta | Sequence[str | int] | Mapping[str, Json] | None"


@dataclass(frozen=True)
class FieldSpec:
    """What a form needs to know about one builder keyword.

    ``kind`` says which widget fits: ``storage_account``, ``resource_group``, ``vm_name``, ``virtual_network``,
    ``subnet``, ``region``, ``zone``, ``luns``, ``identity``, ``arm_id``, ``bool``, ``choice``, ``days``,
    ``id_list``, ``mapping``, ``object``; ``choices`` lists the allowed values of a ``choice``/``zone``.
    """

    name: str
    label: str
    kind: str
    help: str
    required: bool
    default: OptionValue
    choices: tuple[str, ...] = ()
    advanced: bool = False


def option(label: str, kind: str, help: str, default: OptionValue = None, *, choices: Sequence[str] = (),
           advanced: bool = False) -> Any:  # noqa: ANN401 - a dataclass field, typed by the attribute it defaults
    """A builder keyword: its default and what a form shows of it."""
    return field(default=default, metadata={"label": label, "kind": kind, "help": help, "choices": tuple(choices),
                                            "advanced": advanced})


def specs(builder: type, required: frozenset[str]) -> list[FieldSpec]:
    """The keywords of a builder class, in order, with labels, widget kinds, help and defaults."""
    out = []
    for f in fields(builder):
        meta = f.metadata
        default = None if f.default is MISSING else f.default
        out.append(FieldSpec(f.name, meta.get("label", f.name), meta.get("kind", "object"), meta.get("help", ""),
                             f.name in required, default, meta.get("choices", ()), meta.get("advanced", False)))
    return out
