"""`prosecheck list`: the scenarios, properties and mutants."""

from __future__ import annotations

import argparse
import json
from typing import Any

NAME = "list"


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME, help="list scenarios and properties", description="List scenarios, properties and mutants.")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    return parser


def run(args: argparse.Namespace) -> int:
    from prosecheck.report.listing import listing_json, listing_text
    from prosecheck.schemas import document

    print(json.dumps(document(NAME, listing_json()), indent=2, allow_nan=False) if args.json else listing_text())
    return 0
