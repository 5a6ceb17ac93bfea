"""The README's two commands, CI calling the test command verbatim, and a light ``import restorekit``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = text.split("```bash\n")[1:3]
    return [block.split("\n```")[0].strip() for block in blocks]


def test_readme_opens_with_the_two_commands():
    demo, tests = readme_commands()
    assert demo.endswith("restorekit demo") and "pip install" in demo
    assert "[test" in tests and tests.endswith("python -m pytest -n 2 --dist loadfile")
    before = (ROOT / "README.md").read_text().split("```bash")[0]
    assert "```" not in before  # nothing else comes before them


def test_ci_runs_the_readme_test_command_verbatim():
    _, tests = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci
    assert "ruff check ." in ci


def _import_probe(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def test_import_restorekit_is_light():
    probe = _import_probe(
        "import sys, json, restorekit; "
        "print(json.dumps(sorted(m for m in ('pandas','matplotlib','ipywidgets','azure.identity','flask','numpy') "
        "if m in sys.modules)))"
    )
    assert probe == []


def test_core_modules_do_not_import_widgets_or_matplotlib():
    layers = ("core", "transport", "data", "model", "restore", "client", "commands")
    modules = sorted(".".join(path.relative_to(ROOT).with_suffix("").parts)
                     for layer in layers for path in (ROOT / "restorekit" / layer).rglob("*.py"))
    assert len(modules) > 20
    code = ("import sys, json, importlib; "
            f"[importlib.import_module(m) for m in {modules!r}]; "
            "print(json.dumps(sorted(m for m in ('matplotlib','ipywidgets') if m in sys.modules)))")
    assert _import_probe(code) == []


def test_every_sanitize_rule_is_read_by_nbval():
    from nbval.plugin import get_sanitize_patterns

    text = (ROOT / "restorekit" / "notebooks" / "nbval-sanitize.cfg").read_text()
    sections = [line for line in text.splitlines() if line.startswith("[")]
    assert len(get_sanitize_patterns(text)) == len(sections)  # nbval silently drops "replace:" without a space


def import_circles(package: str = "restorekit") -> list[tuple[str, str]]:
    """Every pair of modules of ``package`` where one imports the other and a chain of imports leads back.

    Type-only (``if TYPE_CHECKING:``) and function-level imports count: grimp reads every import statement.
    """
    import grimp

    graph = grimp.build_graph(package, exclude_type_checking_imports=False, cache_dir=None)
    return sorted({tuple(sorted((m, imported))) for m in graph.modules
                   for imported in graph.find_modules_directly_imported_by(m)
                   if graph.chain_exists(importer=imported, imported=m)})


def test_no_import_circle_in_the_package():
    """No circle anywhere in restorekit, the emulator included, type-only and function-level imports counted."""
    assert import_circles() == []


def test_the_circle_test_sees_type_only_and_function_level_imports(tmp_path, monkeypatch):
    package = tmp_path / "circled"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import high\n")
    (package / "high.py").write_text("def f():\n    from . import low\n")
    (package / "alone.py").write_text("from . import low\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_circles("circled") == [("circled.high", "circled.low")]


def test_the_layer_contract_holds():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "BROKEN" not in result.stdout and "5 kept, 0 broken" in result.stdout


def test_the_architecture_page_names_every_module_in_its_layer():
    """docs/architecture.md stays the map: each layer's row names every module of that layer's folder."""
    page = (ROOT / "docs" / "architecture.md").read_text()
    rows = {line.split("|")[1].strip(): line for line in page.splitlines() if line.startswith("| ") and "`" in line}
    missing = []
    for layer in ("core", "transport", "data", "model", "restore", "client", "widgets", "commands"):
        folder = ROOT / "restorekit" / layer
        modules = [p.relative_to(folder).with_suffix("").as_posix() for p in folder.rglob("*.py") if p.stem != "__init__"]
        missing += [f"{layer}/{m}" for m in modules if f"`{m}`" not in rows.get(layer, "").split("|")[2]]
    assert not missing, f"docs/architecture.md does not name: {missing}"


def test_the_emulator_page_maps_every_emulator_module():
    """docs/emulator.md's module map names every module of the emulator in the row of its layer."""
    page = (ROOT / "docs" / "emulator.md").read_text()
    section = page.split("## The emulator's modules")[1].split("\n### ")[0]
    rows = [line.split("|") for line in section.splitlines() if line.startswith("| ") and "`" in line]
    emulator = ROOT / "restorekit" / "emulator"
    missing = []
    for path in emulator.rglob("*.py"):
        part = path.relative_to(emulator).parts
        where = f"`{part[0]}/`" if len(part) > 1 else f"`{part[0]}`"
        name = path.parent.name if path.stem == "__init__" and len(part) > 1 else path.stem
        row = next((r for r in rows if where in r[2]), None)
        if row is None or f"`{name}`" not in row[3]:
            missing.append(str(path.relative_to(emulator)))
    assert not missing, f"docs/emulator.md's module map does not name: {sorted(missing)}"


def test_the_readme_shows_the_browser_tests_pictures():
    """Every picture the README shows is one a browser test writes (``readme_screenshot``), and each is shown."""
    import re

    readme = (ROOT / "README.md").read_text()
    shown = set(re.findall(r"\(docs/screenshots/([\w.-]+\.png)\)", readme))
    browser_tests = "\n".join(p.read_text() for p in (ROOT / "tests" / "browser").glob("test_*.py"))
    written = set(re.findall(r"readme_screenshot\([^\n]*?\"([\w.-]+\.png)\"", browser_tests))
    assert shown and shown == written
    committed = {p.name for p in (ROOT / "docs" / "screenshots").glob("*.png")}
    assert shown == committed  # none missing, none stale


def test_the_readme_lists_every_notebook_with_what_it_teaches():
    import nbformat

    readme = (ROOT / "README.md").read_text()
    for path in sorted((ROOT / "restorekit" / "notebooks").glob("*.ipynb")):
        teaches = nbformat.read(path, as_version=4).metadata["restorekit"]["teaches"]
        assert f"| [`{path.stem}`](restorekit/notebooks/{path.name}) | {teaches} |" in readme, path.name


def test_the_readme_links_binder_to_the_notebooks_in_jupyterlab():
    readme = (ROOT / "README.md").read_text()
    assert "https://mybinder.org/v2/gh/" in readme and "urlpath=lab/tree/restorekit/notebooks" in readme
    assert (ROOT / "binder" / "start").exists()


def test_nothing_below_the_client_reads_the_environment():
    """Context is passed, not read: only ``client.connection.connect()`` reads the environment (the journal, the
    endpoint, the subscription), and ``core/environment.py`` detects the frontend."""
    import re

    readers = []
    for layer in ("core", "transport", "data", "model", "restore"):
        for path in (ROOT / "restorekit" / layer).rglob("*.py"):
            code = [line for line in path.read_text().splitlines() if not line.strip().startswith(("#", '"'))]
            if any(re.search(r"os\.environ|getenv\(", line) for line in code):
                readers.append(path.relative_to(ROOT).as_posix())
    assert readers == ["restorekit/core/environment.py"]
