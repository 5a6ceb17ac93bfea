"""The demo's report: one page a newcomer can open, with every executed notebook and the figures they drew.

``restorekit demo`` writes ``index.html`` into its output folder: a table of the notebooks (status, time, what
each one shows, from its first heading and paragraph), a link to each executed notebook rendered as HTML by
nbconvert, the reports the notebooks wrote (HTML pages in the figures folder: the restore drill's), and the figures.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

import nbformat


@dataclass(frozen=True)
class NotebookRun:
    """How one notebook ran: its file name, ``ok`` or the failure, and how long it took."""

    name: str
    status: str
    seconds: float

    @property
    def ok(self) -> bool:
        """True when it ran to the end."""
        return self.status == "ok"


def what_it_shows(path: Path) -> tuple[str, str]:
    """The notebook's title (its first heading) and what it teaches, as plain text.

    What it teaches is the notebook's ``metadata.restorekit.teaches`` (the README's table of notebooks quotes the
    same line), else the first paragraph of its first markdown cell.
    """
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return path.stem, ""
    teaches = str(notebook.metadata.get("restorekit", {}).get("teaches") or "")
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            lines = [line.strip() for line in cell.source.strip().splitlines()]
            title = lines[0].lstrip("# ").strip() if lines[0].startswith("#") else path.stem
            if not teaches:
                paragraph = cell.source.strip().split("\n\n")[1 if lines[0].startswith("#") else 0:][:1]
                teaches = re.sub(r"[*`_]", "", " ".join(paragraph[0].split())) if paragraph else ""
            return title, teaches
    return path.stem, teaches


def render_notebook(path: Path, folder: Path) -> Path:
    """``path`` rendered as HTML in ``folder`` (nbconvert's classic template, outputs included)."""
    from nbconvert import HTMLExporter

    folder.mkdir(parents=True, exist_ok=True)
    body, _ = HTMLExporter().from_notebook_node(nbformat.read(path, as_version=4))
    target = folder / f"{path.stem}.html"
    target.write_text(body, encoding="utf-8")
    return target


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>restorekit demo</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ text-align: left; padding: 6px 10px; border-bottom: 1px solid #ddd; vertical-align: top; }}
td.nowrap {{ white-space: nowrap; }} .ok {{ color: #1b5e20; }} .failed {{ color: #b00020; }} .note {{ background: #fff3cd; border: 1px solid #e0b400; padding: 6px 10px; }}
figure {{ display: inline-block; margin: 10px; max-width: 520px; }} figure img {{ max-width: 100%; border: 1px solid #ddd; }}
</style></head><body>
<h1>restorekit demo</h1>
<p class="note">Everything here ran on restorekit's <b>local emulator</b> of the Azure Backup API (the documentation's
demo estate, pinned to one day): nothing reached Azure. {when}.</p>
<h2>Notebooks</h2>
<table><tr><th>notebook</th><th>status</th><th>time</th><th>what it teaches</th></tr>
{rows}
</table>
<h2>Reports</h2>
{reports}
<h2>Figures</h2>
{figures}
</body></html>
"""


def write_report(folder: Path, runs: list[NotebookRun], figures: Path) -> Path:
    """Render the executed notebooks of ``folder`` and write ``folder/index.html``; return its path."""
    rows = []
    for run in runs:
        executed = folder / run.name
        title, summary = what_it_shows(executed)
        link = escape(run.name)
        if executed.exists():
            html = render_notebook(executed, folder / "html")
            link = f"<a href='html/{escape(html.name)}'>{escape(title)}</a><br><small>{escape(run.name)}</small>"
        status = ("<span class='ok'>✔ ok</span>" if run.ok
                  else f"<span class='failed'>✘ {escape(run.status)}</span>")
        rows.append(f"<tr><td>{link}</td><td class='nowrap'>{status}</td><td class='nowrap'>{run.seconds:.1f} s</td>"
                    f"<td>{escape(summary)}</td></tr>")
    pictures = sorted(figures.glob("*.png")) if figures.is_dir() else []
    gallery = "".join(f"<figure><img src='{escape(p.relative_to(folder).as_posix())}' alt='{escape(p.stem)}'>"
                      f"<figcaption>{escape(p.stem)}</figcaption></figure>" for p in pictures) or "<p>none</p>"
    pages = sorted(figures.glob("*.html")) if figures.is_dir() else []
    reports = "<ul>" + "".join(f"<li><a href='{escape(p.relative_to(folder).as_posix())}'>{escape(p.stem)}</a></li>"
                               for p in pages) + "</ul>" if pages else "<p>none</p>"
    when = f"Made {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    index = folder / "index.html"
    index.write_text(_PAGE.format(rows="\n".join(rows), reports=reports, figures=gallery, when=when), encoding="utf-8")
    return index
