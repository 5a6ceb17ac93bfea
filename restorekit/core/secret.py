"""A secret value that never shows itself: a file recovery password, an auxiliary token.

``repr``, ``str``, ``format`` and the notebook's HTML say what it is, never what it holds; only
:meth:`Secret.reveal` returns it, on purpose. Making one remembers a scrubber of it
(:func:`~restorekit.core.redaction.remember`), so a copy that still slips into a log line, an error or the
journal through :func:`~restorekit.core.redaction.scrub_known` comes out as ``***``. It cannot be pickled or
compared by value, so it does not travel by accident either.

>>> password = Secret("Abc123xyz789Qwe", "the file recovery password")
>>> password
<secret: the file recovery password (hidden; .reveal() shows it)>
"""

from __future__ import annotations

from typing import NoReturn

from .redaction import Scrubber, remember


class Secret:
    """A string kept out of every repr, log and saved output; ``reveal()`` gives it."""

    __slots__ = ("_value", "label")

    def __init__(self, value: str, label: str = "secret") -> None:
        if not isinstance(value, str) or not value:
            raise ValueError(f"{label}: a secret must be a non-empty string")
        self._value = value
        #: What the secret is, in words (shown instead of it).
        self.label = label
        remember(Scrubber(value))

    def reveal(self) -> str:
        """The secret itself. Do not print it in a notebook whose outputs are saved."""
        return self._value

    def __repr__(self) -> str:
        return f"<secret: {self.label} (hidden; .reveal() shows it)>"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def _repr_html_(self) -> str:
        from html import escape

        return f"<code>{escape(repr(self))}</code>"

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"{self.label} is a secret and cannot be pickled")

    def __bool__(self) -> bool:
        return True
