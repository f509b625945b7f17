"""Rendering DOT text to SVG through Graphviz's binaries, and writing diagram files.

DOT text is always produced (by the ``graphviz`` Python package, which only writes text);
turning it into SVG needs Graphviz's ``dot`` / ``sfdp`` programs (Debian package ``graphviz``).
When they are missing, :func:`to_svg` raises :class:`RenderUnavailable` with a message that
says what to install, and the callers still write the DOT text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

NEEDS_GRAPHVIZ = (
    "Graphviz's '{engine}' program is not installed, so only the text sources (DOT, Mermaid, PlantUML) "
    "were written; to render SVG install Graphviz (Debian/Ubuntu: apt-get install graphviz; "
    "macOS: brew install graphviz) and run the command again"
)


class RenderUnavailable(Exception):
    """Graphviz's layout program is not on PATH."""


def have_engine(engine: str = "dot") -> bool:
    return shutil.which(engine) is not None


def to_svg(dot_source: str, engine: str = "dot") -> str:
    """Lay out and render ``dot_source`` with Graphviz ``engine``; return the SVG text."""
    exe = shutil.which(engine)
    if exe is None:
        raise RenderUnavailable(NEEDS_GRAPHVIZ.format(engine=engine))
    done = subprocess.run([exe, "-Tsvg"], input=dot_source.encode(), capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"Graphviz {engine} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode()


_PROLOGUE = re.compile(r"\A.*?(?=<svg)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def inline_svg(svg: str) -> str:
    """The ``<svg>`` element alone (no XML prologue, DOCTYPE or comments), for embedding in HTML."""
    return _COMMENT.sub("", _PROLOGUE.sub("", svg, count=1)).strip()


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (ending in one newline) to ``path``, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return path


def esc(text: str) -> str:
    """Escape text for XML/HTML content and attributes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
