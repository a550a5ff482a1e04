"""Readability of a text: Flesch-Douma for Dutch, Flesch reading ease for English.

Douma (1960) adapted Flesch's formula to Dutch: `206.835 - 0.93 * words/sentence - 77 *
syllables/word` (Flesch for English: `206.835 - 1.015 * w/s - 84.6 * syl/w`). Roughly: 60 to 70
is "normal", 70 to 80 "fairly easy"; B1 texts score about 60 and up.

Syllables are counted with pyphen's hyphenation dictionaries (nl_NL, en_US: the LibreOffice
patterns), one more than the hyphenation points, with no minimum at the word's edges. Hyphenation
is not syllabification (a few compounds split differently), but it is close, and well kept.

Sentences: text up to `.`, `!`, `?` or `:` followed by white space; a blank line (between
headings and paragraphs); and each list item (a line starting `- ` or `1. `) on its own. A heading
directly above its paragraph is counted as part of the paragraph's first sentence, which makes
that sentence longer: the score is, if anything, too low.
"""

from __future__ import annotations

import re
from typing import Literal

import pyphen  # type: ignore[import-untyped]  # no stubs or py.typed

_DICTIONARIES = {
    "nl": pyphen.Pyphen(lang="nl_NL", left=1, right=1),
    "en": pyphen.Pyphen(lang="en_US", left=1, right=1),
}
_WEIGHTS = {"nl": (0.93, 77.0), "en": (1.015, 84.6)}
_WORD = re.compile(r"[^\W\d_]+")


def sentences(text: str) -> list[str]:
    """The sentences of a text, as counted here (see the module docs)."""
    text = re.sub(r"\n(?=- |\d+\. )", "\n\n", text)
    return [p for p in re.split(r"[.!?:](?:\s+|$)|\n\s*\n", text) if _WORD.search(p)]


def syllables(word: str, language: Literal["nl", "en"]) -> int:
    """The syllables of one word: its hyphenation points plus one."""
    return len(_DICTIONARIES[language].positions(word.lower())) + 1


def reading_ease(text: str, language: Literal["nl", "en"]) -> float:
    """Flesch-Douma (Dutch) or Flesch reading ease (English) of a text; higher is easier."""
    words = _WORD.findall(text)
    per_sentence, per_syllable = _WEIGHTS[language]
    syllable_count = sum(syllables(w, language) for w in words)
    return (
        206.835
        - per_sentence * len(words) / len(sentences(text))
        - per_syllable * syllable_count / len(words)
    )
