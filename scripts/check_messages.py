"""Checks that the zh_Hans catalogue covers every message in the code, has no empty or fuzzy
entries, and that the committed .mo is compiled from the committed .po."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "src" / "tiaokuai"
PO = APP / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def stats(po: Path) -> str:
    out = subprocess.run(["msgfmt", "-c", "--statistics", "-o", "/dev/null", str(po)],
                         capture_output=True, text=True, check=True)
    return (out.stderr or out.stdout).strip()


def main() -> int:
    if not PO.exists() or not MO.exists():
        print(f"missing {PO} or {MO}; run `make messages`")
        return 1
    problems = []
    committed = stats(PO)
    if "untranslated" in committed or "fuzzy" in committed:
        problems.append(f"catalogue incomplete: {committed}")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "tiaokuai"
        shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("vendor", "__pycache__", "node_modules"))
        subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete",
                        "--no-location", "-i", "static/vendor/*"], cwd=copy, check=True, capture_output=True,
                       env={"DJANGO_SETTINGS_MODULE": "tiaokuai.config.settings", "PATH": "/usr/bin:/bin",
                            "TIAOKUAI_VAR_DIR": tmp})
        fresh = stats(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
        if "untranslated" in fresh or "fuzzy" in fresh:
            problems.append(f"messages in the code are missing from the catalogue: {fresh} (run `make messages`)")
        compiled = Path(tmp) / "check.mo"
        subprocess.run(["msgfmt", "-o", str(compiled), str(PO)], check=True)
        if compiled.read_bytes() != MO.read_bytes():
            problems.append("django.mo is not compiled from django.po (run `make messages`)")
    for p in problems:
        print(p)
    if not problems:
        print(f"zh_Hans messages complete and compiled: {committed}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
