"""Catalogue upkeep for developers: refresh from the code, fill Danish translations, compile.

    python scripts/i18n.py update             # extract + update both catalogues + compile
    python scripts/i18n.py fill da.json       # update, then set Danish msgstr from {"msgid": "Danish"}
    python scripts/i18n.py missing            # list Danish entries still untranslated

A file lock serialises concurrent runs, so several people can fill their strings at once.
"""
from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
DA = TRANSLATIONS / "da" / "LC_MESSAGES" / "messages.po"
BABEL = [sys.executable, "-m", "babel.messages.frontend", "-q"]


@contextmanager
def locked():
    with open(TRANSLATIONS / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def update() -> None:
    pot = TRANSLATIONS / "messages.pot"
    subprocess.run(BABEL + ["extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--no-location",
                            "--sort-output", "-o", str(pot), "app.py", "portal", "models", "templates"],
                   cwd=ROOT, check=True)
    subprocess.run(BABEL + ["update", "-i", str(pot), "-d", str(TRANSLATIONS), "--no-fuzzy-matching",
                            "--ignore-obsolete"], cwd=ROOT, check=True)


def compile_all() -> None:
    subprocess.run(BABEL + ["compile", "-d", str(TRANSLATIONS)], cwd=ROOT, check=True)


def fill(path: Path) -> int:
    wanted = json.loads(path.read_text())
    with open(DA, "rb") as fh:
        catalog = read_po(fh, locale="da")
    changed = 0
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.id in wanted:
            message.string = wanted[message.id]
            message.flags.discard("fuzzy")
            changed += 1
        elif message.id and not isinstance(message.id, str) and message.id[0] in wanted:
            value = wanted[message.id[0]]
            message.string = tuple(value) if isinstance(value, list) else (value, value)
            message.flags.discard("fuzzy")
            changed += 1
    with open(DA, "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)
    return changed


def missing() -> list[str]:
    with open(DA, "rb") as fh:
        catalog = read_po(fh, locale="da")
    out = []
    for m in catalog:
        if not m.id:
            continue
        empty = not m.string if isinstance(m.string, str) else not all(m.string)
        if empty or m.fuzzy:
            out.append(m.id if isinstance(m.id, str) else m.id[0])
    return out


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "update"
    with locked():
        if command in ("update", "fill"):
            update()
        if command == "fill":
            print(f"filled {fill(Path(argv[1]))} entries")
        if command in ("update", "fill"):
            compile_all()
        gaps = missing()
    if gaps:
        print(f"{len(gaps)} Danish entries untranslated:")
        print("\n".join(gaps))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
