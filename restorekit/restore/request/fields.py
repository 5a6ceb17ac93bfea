"""What a form needs to know about a restore request's keywords: label, widget kind, help, choices.

The builders declare each keyword as a dataclass field made with :func:`option` (its metadata is the form's
description of it); :func:`specs` reads them back, in order, as :class:`FieldSpec`. The request stays a plain
value: nothing here reads or sends anything. A problem's fix is written for code (``pass target_vm_name=...``);
:func:`in_form_words` says it as a form shows it (``fill in 'New VM name'``).
"""

from __future__ import annotations

import re
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


#: Phrases of the fixes that name code a form has no use for, as a form says them.
_FORM_PHRASES = {
    "use RestoreDisks(..., luns=[...])": "choose 'Restore disks' to pick disks",
    "pass a point from item.recovery_points()": "choose a point in the point picker",
    "leave it out": "leave it empty",
}


def in_form_words(text: str, labels: Mapping[str, str]) -> str:
    """A fix written for code, in a form's words: each keyword by its label (``labels``: keyword → label), ``x=...``
    as "fill in", ``x=True``/``x=False`` as "tick"/"untick", ``pass x=value`` as "set 'X' to value".

    >>> in_form_words("pass target_vm_name=...", {"target_vm_name": "New VM name"})
    "fill in 'New VM name'"
    """
    for phrase, words in _FORM_PHRASES.items():
        text = text.replace(phrase, words)
    if not labels:
        return text
    names = "|".join(re.escape(name) for name in sorted(labels, key=len, reverse=True))

    def label(match: re.Match[str]) -> str:
        return f"'{labels[match['name']]}'"

    text = re.sub(rf"(?:\bpass |\bgive )?\b(?P<name>{names})=\.\.\.", lambda m: f"fill in {label(m)}", text)
    text = re.sub(rf"(?:\bpass )?\b(?P<name>{names})=True\b", lambda m: f"tick {label(m)}", text)
    text = re.sub(rf"(?:\bpass )?\b(?P<name>{names})=False\b", lambda m: f"untick {label(m)}", text)
    text = re.sub(rf"\bpass (?P<name>{names})=", lambda m: f"set {label(m)} to ", text)
    text = re.sub(rf"\b(?P<name>{names})=", lambda m: f"{label(m)} to ", text)
    keywords = "|".join(re.escape(name) for name in sorted(labels, key=len, reverse=True) if "_" in name)
    if keywords:  # a keyword named in the text (only those that cannot be a plain word)
        text = re.sub(rf"\b(?P<name>{keywords})\b", label, text)
    text = re.sub(r"\bpass (?=')", "set ", text)
    return re.sub(r"\bpass\b", "give", text)
