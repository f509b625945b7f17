"""The checker keeps no 5G word (issue 20): "The 5G model keeps using the same API; `checker/` keeps
no 5G word."

Every file under ``prosecheck/checker/`` (Python, C, whatever is there) is read line by line, docstrings,
comments, strings and identifiers alike, and searched for the words of the 5G ProSe model: a fixed
list (the standard's vocabulary) plus what the model itself names, read from ``prosecheck.model``
at test time (its element roles, message names, link kinds, secret field kinds and the ghost facts
whose name carries one of these words), so a new role or message is covered without editing this file.

A word matches whole and case-insensitively, where an underscore separates words too
(``ghost.knr_derived`` and ``remote_ue`` hit ``knr`` and ``ue``): identifiers are built of such words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from prosecheck.model import build
from prosecheck.model.elements import ELEMENTS
from prosecheck.model.ghosts import GHOSTS, OBSERVERS
from prosecheck.model.messages import MESSAGES

CHECKER = Path(__file__).resolve().parent.parent / "prosecheck" / "checker"

# the standard's vocabulary (TS 33.503 and the patent), lowercase
FIXED: frozenset[str] = frozenset({
    "5g", "prose", "5gpruk", "pruk", "knr", "knr_prose", "kausf", "kausf_p", "ausf", "panf", "udm", "amf",
    "supi", "suci", "ue", "ues", "relay", "nonce_1", "nonce_2", "patent", "auth", "eap", "withdrawal",
    "withdrawn", "pc5", "nas", "sbi", "3gpp",
})

# Names the model uses that are also plain English or generic protocol words, skipped: a ghost fact
# such as ``rejected`` or ``updated`` says nothing of 5G, and "remote" is also Ray's ``actor.remote``.
# Message names are all several words joined (``key_query_request``): none is generic, none skipped;
# a future one-word message name that is plain English would go here with its reason.
GENERIC: frozenset[str] = frozenset({"remote", "attacker"})

# (file relative to checker/, line text) a 5G word may stay on, each with its reason. The group
# prefix ``ueN.`` of world names is output format read outside checker/ (certificates, ITF traces,
# the proof ledger, golden files): renaming it changes behaviour, so it is listed, not rewritten.
KNOWN: dict[tuple[str, str], str] = {
    ("system.py", 'return "" if self.groups == 1 else f"ue{group + 1}."'):
        "world names of group N are prefixed ueN. in every output format",
}


def _model_words() -> set[str]:
    """The 5G words the model names: roles, messages, link and field kinds, ghosts carrying a 5G word."""
    words = {e.ROLE for e in ELEMENTS} | set(MESSAGES)
    words |= {kind for _, _, kind in build.LINKS}
    words |= {kind for o in OBSERVERS for kind in o.field_kinds}
    roles = words | FIXED
    words |= {g for g in GHOSTS if roles & set(g.split("_"))}
    return {w.lower() for w in words} - GENERIC


def _pattern(words: set[str]) -> re.Pattern[str]:
    """Whole words, case-insensitive; letters and digits continue a word, an underscore does not."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])({alternatives})(?![A-Za-z0-9])", re.IGNORECASE)


def _hits(pattern: re.Pattern[str]) -> Iterator[tuple[str, int, str, str]]:
    """Every (file, line number, word, line text) under checker/ that names a 5G word."""
    for path in sorted(p for p in CHECKER.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            for m in pattern.finditer(line):
                yield str(path.relative_to(CHECKER)), number, m.group(1), line.strip()


def test_word_list_is_read_from_the_model() -> None:
    """The derived list holds the model's roles and messages (an empty derivation would pass silently)."""
    words = _model_words()
    assert {"relay_ue", "ausf", "key_query_request", "knr_derived"} <= words
    assert words.isdisjoint(GENERIC)


def test_checker_keeps_no_5g_word() -> None:
    """No file under checker/ names a 5G word, except the listed lines (each still present)."""
    found = list(_hits(_pattern(_model_words() | FIXED)))
    unexpected = [f"checker/{f}:{n}: {w!r}" for f, n, w, line in found if (f, line) not in KNOWN]
    assert not unexpected, "5G words in the generic checker:\n" + "\n".join(unexpected)
    stale = [k for k in KNOWN if not any((f, line) == k for f, _, _, line in found)]
    assert not stale, f"KNOWN lists lines that no longer hold a 5G word; take them off: {stale}"


def test_pattern_matches_whole_words_only() -> None:
    """Underscores separate words, letters and digits do not: ``ue`` is in ``remote_ue``, not in ``queue``."""
    p = _pattern({"ue", "knr"})
    assert [m.group(1) for m in p.finditer("remote_ue queue UE's ghost.knr_derived knrs ue2")] == ["ue", "UE", "knr"]
