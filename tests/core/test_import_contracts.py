"""The import contracts in pyproject.toml ([tool.importlinter]) hold on the tree, and a forbidden import
makes `lint-imports` fail: core → a domain app, org → duties, routing → whistles."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (dev extra)")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root, env={"PYTHONPATH": str(root / "src"), "PATH": str(LINT_IMPORTS.parent)},
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """The package's Python files and pyproject.toml, copied to a temporary directory."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "src" / "tiaokuai", tmp_path / "src" / "tiaokuai",
                    ignore=shutil.ignore_patterns("static", "locale", "templates", "__pycache__", "*.pyc"))
    return tmp_path


def test_the_tree_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "forbidden", "contract"), [
    ("core/paging.py", "tiaokuai.whistles.models", "The kernel (core) imports no domain app"),
    ("org/selectors.py", "tiaokuai.duties.models", "org does not import duties"),
    ("routing/selectors.py", "tiaokuai.whistles.selectors", "routing and notify import no mechanism"),
])
def test_given_a_forbidden_import_when_linting_then_the_contract_is_broken(tree_copy, module, forbidden, contract):
    path = tree_copy / "src" / "tiaokuai" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\nimport {forbidden}  # noqa\n", encoding="utf-8")
    result = lint_imports(tree_copy)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(line.startswith(contract[:40]) for line in broken), result.stdout
