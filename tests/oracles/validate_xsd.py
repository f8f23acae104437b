"""Validates XML documents against an XSD with xmlschema (the customs tests' oracle).

Usage: validate_xsd.py SCHEMA.xsd FILE.xml...  Prints one line per file: "ok FILE" or
"invalid FILE: reason", and exits 1 when any is invalid, 2 when the schema does not load.
"""
import sys

import xmlschema


def main() -> int:
    try:
        schema = xmlschema.XMLSchema10(sys.argv[1])
    except Exception as e:  # noqa: BLE001 - any schema error is a failure of the run
        print(f"schema {sys.argv[1]} does not load: {e}")
        return 2
    bad = 0
    for path in sys.argv[2:]:
        errors = list(schema.iter_errors(path))
        if errors:
            bad += 1
            print(f"invalid {path}: {errors[0].reason} at {errors[0].path}")
        else:
            print(f"ok {path}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
