"""Terms and spelling: the text against its own vocabulary.

Precision over recall: a word is only flagged when the text itself shows the right form.

- doubled words ("the the"), except where the pair is a term followed by its head ("data network
  network element": "network element" is one of the text's frequent terms);
- two spellings of one technical term (a name with capitals inside, digits or underscores): the
  same letters up to ``_ { } -`` and case (K_{NR_Prose} / K_{NR_ProSe} / KNR_ProSe), or one letter
  apart (Nounce_1 / Nonce_1, 5GPURK / 5GPRUK); one finding per variant, the form TS 33.503 uses or
  else the most frequent one proposed;
- a rare word one letter from a frequent one whose neighbour the text also uses with the frequent
  one ("home subscriber serve" where the text has "subscriber server"), inflections set aside;
- "authentication" where the same sentence's subject is an authorization ("Success represents that
  authorization succeeds, and ... indicating that authentication succeeds");
- a failure represented by a success indication ("Failure represents that authorization fails, and
  a representation form of failure may be ... indicating that authentication succeeds").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from prosecheck.analysis.patent import Patent
from prosecheck.analysis.text_common import STOPWORDS, TextFinding, edit_distance, sentences

_TOKEN = re.compile(r"[A-Za-z0-9_{}\-]*[A-Za-z][A-Za-z0-9_{}\-]*")
_STEP_TOKEN = re.compile(r"S\d+[a-z]?")
STANDARD_SPELLINGS = frozenset({"Nonce_1", "Nonce_2", "5GPRUK", "K_{NR_ProSe}"})
"""Spellings as TS 33.503 writes them: proposed whatever their count in the text."""
_INFLECTIONS = ("s", "es", "d", "ed", "ing", "ly", "r", "er")


def _texts(patent: Patent) -> list[tuple[str, str]]:
    return list(patent.paragraphs.items()) + [(f"claim {n}", c.text) for n, c in patent.claims.items()]


def _counts(patent: Patent) -> Counter[str]:
    return Counter(w for _, text in _texts(patent) for w in _TOKEN.findall(text))


def _word(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w{{}}\-]){re.escape(word)}(?![\w{{}}\-])")


def _where(patent: Patent, word: str) -> list[str]:
    pattern = _word(word)
    return [pid for pid, text in _texts(patent) if pattern.search(text)]


def _sentence_with(text: str, word: str) -> str:
    return next((s for s in sentences(text) if word in s), text)


def _finding(patent: Patent, key: str, wrong: str, right: str, problem: str,
             category: str = "editorial", severity: str = "low") -> TextFinding | None:
    """One finding for every place ``wrong`` stands (the first quoted), ``right`` proposed."""
    where = _where(patent, wrong)
    if not where:
        return None
    text = dict(_texts(patent))[where[0]]
    quote = next((s for s in sentences(text) if _word(wrong).search(s)), text)
    return TextFinding(key, category, severity, tuple(where), quote,
                       problem + f" ({len(where)} place(s): {', '.join(where[:8])}{' ...' if len(where) > 8 else ''}).",
                       _word(wrong).sub(right, quote))


def _bigrams(patent: Patent) -> Counter[str]:
    """Two words in a row (lower case, punctuation aside), counted over the whole text."""
    out: Counter[str] = Counter()
    for _, text in _texts(patent):
        words = _TOKEN.findall(text)
        out.update(f"{a} {b}".lower() for a, b in zip(words, words[1:]))
    return out


def doubled_words(patent: Patent) -> list[TextFinding]:
    """A word written twice in a row, unless the second starts one of the text's frequent two-word terms."""
    bigrams = _bigrams(patent)
    out: list[TextFinding] = []
    for pid, text in _texts(patent):
        for m in re.finditer(r"\b(\w+) \1\b( \w+)?", text, re.IGNORECASE):
            follow = f"{m.group(1)}{m.group(2) or ''}".lower()
            if m.group(2) and bigrams[follow] >= 10:
                continue  # "data network network element": "network element" is a term
            quote = _sentence_with(text, m.group(0))
            out.append(TextFinding(f"term:[{pid}]:doubled {m.group(1)}", "editorial", "low", (pid,), quote,
                                   f"[{pid}] writes \"{m.group(1)}\" twice.",
                                   quote.replace(f"{m.group(1)} {m.group(1)}", m.group(1), 1)))
    return out


def _technical(word: str) -> bool:
    """A name rather than an English word: capitals inside, digits or underscores (not a step number)."""
    inner_caps = sum(ch.isupper() for ch in word[1:]) >= 1
    return (inner_caps or any(ch.isdigit() or ch == "_" for ch in word)) and not _STEP_TOKEN.fullmatch(word)


def _squash(word: str) -> str:
    return re.sub(r"[_{}\-]", "", word).lower()


def _variants_of(word: str, others: Iterable[str]) -> list[str]:
    """The other spellings of ``word``: equal when squashed, or one letter apart (not a digit, not the first)."""
    out = []
    for other in others:
        if other == word or other[1:] == word[1:]:  # the first letter's case is the sentence's
            continue
        if _squash(other) == _squash(word):
            out.append(other)
        elif (len(word) >= 5 and other[0] == word[0] and edit_distance(word, other, 2) == 1
              and not any(ch.isdigit() for ch in set(word) ^ set(other))
              and (sorted(word) == sorted(other) or not (word.isupper() and other.isupper()))):
            out.append(other)  # acronyms one letter apart are other acronyms (EPROM, EEPROM): only a swap counts
    return out


def term_variants(patent: Patent) -> list[TextFinding]:
    """Two spellings of one technical term; the one TS 33.503 uses, or the most frequent, is proposed."""
    counts = _counts(patent)
    technical = [w for w in counts if _technical(w)]
    out: list[TextFinding] = []
    for word in technical:
        group = [word, *_variants_of(word, technical)]
        if len(group) < 2:
            continue
        best = max(group, key=lambda w: (w in STANDARD_SPELLINGS, counts[w], w))
        if word == best:
            continue
        found = _finding(patent, f"term:{word} vs {best}", word, best,
                         f"The text writes the term both \"{word}\" ({counts[word]}x) and \"{best}\" ({counts[best]}x)")
        out += [found] if found else []
    return out


def _inflection(a: str, b: str) -> bool:
    short, long = sorted((a.lower(), b.lower()), key=len)
    if long.startswith(short) and long[len(short):] in _INFLECTIONS[:6]:
        return True
    return short.endswith("e") and long.startswith(short[:-1]) and long[len(short) - 1:] in ("ing", "ion", "ed")


def _neighbour_confirms(patent: Patent, rare: str, frequent: str, bigrams: Counter[str]) -> bool:
    """True when a content word next to ``rare`` stands next to ``frequent`` elsewhere in the text."""
    for _, text in _texts(patent):
        words = _TOKEN.findall(text)
        for i, w in enumerate(words):
            if w != rare:
                continue
            before = words[i - 1].lower() if i else ""
            if before and before not in STOPWORDS and bigrams[f"{before} {frequent.lower()}"] >= 1:
                return True
    return False


def typos(patent: Patent) -> list[TextFinding]:
    """A rare English word (at most twice) one letter from a word ten times as frequent, confirmed by its neighbour."""
    counts = _counts(patent)
    bigrams = _bigrams(patent)
    frequent = [w for w, n in counts.items() if n >= 10 and len(w) >= 4 and not _technical(w)]
    out: list[TextFinding] = []
    for word, n in sorted(counts.items()):
        if n > 2 or len(word) < 4 or _technical(word):
            continue
        for f in frequent:
            if (counts[f] >= 10 * n and f[0] == word[0] and edit_distance(word, f, 2) == 1
                    and not _inflection(word, f) and _neighbour_confirms(patent, word, f, bigrams)):
                found = _finding(patent, f"term:typo {word} for {f}", word, f,
                                 f"\"{word}\" ({n}x) where the text elsewhere writes \"{f}\" in the same words "
                                 f"({counts[f]}x)")
                out += [found] if found else []
    return out


_AUTHENTICATION_SLIP = re.compile(r"authorization (succeeds|fails)[^.]*?indicating that (authentication) (succeeds|fails)")
_FAILURE_AS_SUCCESS = re.compile(r"Failure represents that (\w+) fails[^.]*?indicating that (\w+) succeeds")


def authorization_slips(patent: Patent) -> list[TextFinding]:
    """"authentication succeeds" in a sentence about an authorization's result (one finding, every place)."""
    where: list[tuple[str, str, re.Match[str]]] = []
    for pid, text in patent.paragraphs.items():
        for s in sentences(text):
            where += [(pid, s, m) for m in _AUTHENTICATION_SLIP.finditer(s)]
    if not where:
        return []
    pid, s, m = where[0]
    fixed = m.group(0)[:m.start(2) - m.start()] + "authorization" + m.group(0)[m.end(2) - m.start():]
    pids = tuple(dict.fromkeys(p for p, _, _ in where))
    return [TextFinding(
        "term:authentication for authorization", "editorial", "medium", pids, s,
        f"An authorization check's result is represented by an indication that \"authentication\" succeeds or fails, "
        f"in the sentence that says it is the authorization's ({len(where)} sentence(s) in {len(pids)} paragraph(s): "
        f"{', '.join(pids)}).",
        s.replace(m.group(0), fixed))]


def failure_as_success(patent: Patent) -> list[TextFinding]:
    """"Failure represents that X fails, and a representation form of failure may be ... indicating that
    ... succeeds" (one finding, every place: the sentence is repeated per method)."""
    where = [(pid, s, m) for pid, text in patent.paragraphs.items() for s in sentences(text)
             for m in _FAILURE_AS_SUCCESS.finditer(s)]
    if not where:
        return []
    pid, s, m = where[0]
    pids = tuple(dict.fromkeys(p for p, _, _ in where))
    return [TextFinding(
        "term:failure shown as success", "contradiction", "medium", pids, s,
        f"A failure is represented by an indication that {m.group(2)} succeeds ({len(pids)} place(s): "
        f"{', '.join(pids)}): a failure indication is meant.",
        s.replace(f"indicating that {m.group(2)} succeeds", f"indicating that {m.group(1)} fails"))]


def terms(patent: Patent) -> list[TextFinding]:
    """Every terms-and-spelling finding."""
    return (doubled_words(patent) + term_variants(patent) + typos(patent) + authorization_slips(patent)
            + failure_as_success(patent))
