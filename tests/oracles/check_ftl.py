#!/usr/bin/env python3
"""Parses every locales/**/*.ftl with Mozilla's fluent.syntax; exits 1 on any Junk entry,
printing file:line and the parser's annotation.

    pip install -r tests/oracles/requirements.txt
    python3 tests/oracles/check_ftl.py [locales-dir]
"""

import pathlib
import sys

from fluent.syntax import FluentParser
from fluent.syntax.ast import Junk

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main():
    base = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "locales"
    files = sorted(base.glob("**/*.ftl"))
    if not files:
        print(f"no .ftl files under {base}")
        return 1
    parser = FluentParser(with_spans=True)
    bad = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        for entry in parser.parse(text).body:
            if isinstance(entry, Junk):
                for annotation in entry.annotations:
                    line = text.count("\n", 0, annotation.span.start) + 1
                    print(f"{path}:{line}: {annotation.code}: {annotation.message}")
                    bad += 1
    print(f"{len(files)} files checked, {bad} junk annotations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
