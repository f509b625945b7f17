"""``python -m prosecheck``: the same as the ``prosecheck`` command."""

from prosecheck.cli import run

run()
