"""What the checks of a restore request found, side by side: restorekit's own (offline and online) and the service's.

``request.check()`` (offline, nothing sent) and ``item.check(request, online=True, service=True)`` return a
:class:`CheckReport`; ``report.raise_for_problems()`` raises :class:`~restorekit.core.errors.ValidationError` with
its :attr:`CheckReport.blocking` problems. In a notebook the report renders as a short table: each problem with its
field and its fix, the notes, and the service's verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from ...core.errors import ValidationError
from ..request.rules import Problem
from .service import ServiceVerdict


@dataclass
class CheckReport:
    """Problems found offline and online, notes worth reading, and the service's verdict when it was asked."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    service: ServiceVerdict | None = None
    online: bool = False

    @property
    def blocking(self) -> list[Problem]:
        """Every problem that stops the restore: restorekit's and the service's."""
        return [*self.problems, *(self.service.problems if self.service else [])]

    @property
    def ok(self) -> bool:
        """True when nothing stops the restore."""
        return not self.blocking

    def raise_for_problems(self, what: str = "restore request") -> CheckReport:
        """Raise :class:`~restorekit.core.errors.ValidationError` listing every blocking problem; return self."""
        if self.blocking:
            raise ValidationError(self.blocking, what=what)
        return self

    @property
    def scope(self) -> str:
        """What was checked, in words."""
        return "offline and against the live estate" if self.online else "offline"

    def __repr__(self) -> str:
        return f"<CheckReport {self.scope}: {len(self.blocking)} problem(s), {len(self.notes)} note(s)>"

    def __str__(self) -> str:
        lines = [f"checked {self.scope}: " + (f"{len(self.problems)} problem(s)" if self.problems else "no problem")]
        lines += [f"  - {p}" for p in self.problems]
        lines += [f"  note: {p}" for p in self.notes]
        if self.service is not None:
            lines.append(f"  {self.service}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        def rows(items: list[Problem], colour: str) -> str:
            return "".join(f"<li style='color:{colour}'><b>{escape(p.field)}</b>: {escape(p.message)}<br>"
                           f"<small>fix: {escape(p.fix)}</small></li>" for p in items)

        head = (f"<b>✔ No problem found</b> ({escape(self.scope)})" if not self.problems else
                f"<b>⚠ {len(self.problems)} problem(s)</b> ({escape(self.scope)})")
        service = f"<p>{escape(str(self.service))}</p>" if self.service is not None else ""
        return (f"<div class='restorekit-check'>{head}<ul>{rows(self.problems, '#b00020')}"
                f"{rows(self.notes, '#8a6d00')}</ul>{service}</div>")
