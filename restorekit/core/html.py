"""HTML for notebook displays: a small two-column table of an object's main facts."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any


def fields_table(rows: Iterable[tuple[str, Any]], css_class: str, title: str | None = None) -> str:
    """An HTML table of ``(label, value)`` rows, skipping empty values; ``title`` goes in a caption."""
    body = "".join(f"<tr><th style='text-align:left'>{escape(label)}</th><td style='text-align:left'>"
                   f"{escape(str(value))}</td></tr>" for label, value in rows if value not in (None, "", []))
    caption = f"<caption style='text-align:left'><b>{escape(title)}</b></caption>" if title else ""
    return f"<table class='{escape(css_class)}'>{caption}{body}</table>"
