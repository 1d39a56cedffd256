"""The house's arrows (shared/STYLE.md, issue #28 items 9–11): the core knows no face.

The core (every module of src/leadloop outside cli/ and web/) never imports
`leadloop.web`, `leadloop.cli` or `leadloop.output`; only cli/ (and demo.py, which shows a
newcomer its run) write through output.py; web/ never imports cli/ or output.py. Read
with `ast` from the source, so a lazy import inside a function counts as much as one at
the top of a module.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "leadloop"
PYPROJECT = SRC.parent.parent / "pyproject.toml"


def module_name(path: Path) -> str:
    parts = ("leadloop", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, name: str | None = None) -> set[str]:
    """Every leadloop module `path` (the module `name`) imports, relative imports resolved."""
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # `from . import output` names a module in its names.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {module for module in found if module == "leadloop" or module.startswith("leadloop.")}


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def wrong_arrows() -> list[str]:
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        name = module_name(path)
        face = _within(name, "leadloop.cli") or name == "leadloop.__main__"
        web = _within(name, "leadloop.web")
        for target in sorted(imported(path)):
            if face:
                continue
            if web:
                if _within(target, "leadloop.cli") or _within(target, "leadloop.output"):
                    wrong.append(f"{name} imports {target}")
                continue
            if _within(target, "leadloop.web") or _within(target, "leadloop.cli"):
                wrong.append(f"{name} imports {target}")
            elif _within(target, "leadloop.output") and name not in ("leadloop.output", "leadloop.demo"):
                wrong.append(f"{name} imports {target}")
    return wrong


def test_the_core_imports_neither_the_web_nor_the_cli_nor_output():
    assert wrong_arrows() == []


def test_the_check_sees_a_lazy_relative_import(tmp_path):
    # The check itself must be able to fail: runner.py's old import inside a function,
    # and `from . import output`.
    fake = tmp_path / "runner.py"
    fake.write_text("def f():\n    from .web.tokens import links_for\n    from . import output\n")
    assert {"leadloop.web.tokens", "leadloop.output"} <= imported(fake, "leadloop.runner")
    fake.write_text("from ..cli import app\n")
    assert "leadloop.cli" in imported(fake, "leadloop.web.app")


def test_every_comment_in_the_dependencies_belongs_to_a_dependency():
    """A comment says why the dependency under it is there: none may be left dangling
    (issue #28 item 11)."""
    text = PYPROJECT.read_text(encoding="utf-8")
    tomllib.loads(text)
    for table in ("dependencies = [", "test = ["):
        block = text[text.index(table) + len(table):]
        block = block[:block.index("\n]")]
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        for line, after in zip(lines, lines[1:] + [""]):
            if line.startswith("#"):
                assert after.startswith(("#", '"')), f"dangling comment in pyproject.toml: {line}"
