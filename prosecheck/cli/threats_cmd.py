"""`prosecheck threats`: the violations found under threat models (docs/threats.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from prosecheck.cli.common import add_limit_options, add_scenario_options, limits_of, scenarios_of

NAME = "threats"


def register(sub: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        NAME, help="list the violations found under threat models (docs/threats.md)",
        description="Check the scenarios that run under a threat model (default: those of the default set, or "
                    "the given SCENARIOs with --threat) and list every violation with its shortest trace; "
                    "--markdown writes the document docs/threats.md holds, with a Mermaid chart per violation.")
    add_scenario_options(parser)
    add_limit_options(parser)
    parser.add_argument("--markdown", action="store_true", help="print the Markdown document (docs/threats.md)")
    return parser


def run(args: argparse.Namespace) -> int:
    from prosecheck.report.threats_doc import threats_markdown, threats_text
    from prosecheck.verify import check_scenario, worst

    scenarios = [s for s in scenarios_of(args) if s.threats.active()]
    if not scenarios:
        print("no scenario under a threat model among those chosen (give --threat, or an id with '@')",
              file=sys.stderr)
        return 2
    limits = limits_of(args)
    results = [check_scenario(s, limits=limits) for s in scenarios]
    sys.stdout.write(threats_markdown(results) if args.markdown else threats_text(results))
    return worst(r.exit_code for r in results)
