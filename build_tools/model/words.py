"""The words of Indonesian text and their dictionary roots (Sastrawi's dictionary stemmer:
``pengiriman`` → ``kirim``, ``memeriksa`` → ``periksa``), so that word forms can meet: in
search, and in the check that a synonym belongs to one group only."""

from __future__ import annotations

import re
from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_stemmer = StemmerFactory().create_stemmer()


#: Prefixes Sastrawi's own rules never pair with the suffix ``-kan`` (``ke-…-kan``,
#: ``se-…-kan``).
_NOT_WITH_KAN = ("ke", "se")


@lru_cache(maxsize=200_000)
def root(word: str) -> str:
    """The dictionary root of one lower-case word (the word itself when none is known).

    Sastrawi reads ``kerusakan`` as ke-``rusa``-kan (``rusa`` is a deer), a pairing its own
    rules disallow; where the root plus ``k`` is a word, ke-``rusak``-an is the reading."""
    if not word.isalpha() or len(word) < 4:
        return word
    stem = _stemmer.stem(word) or word
    if (word.endswith(stem + "kan") and word[:-len(stem) - 3] in _NOT_WITH_KAN
            and stem + "k" in dictionary()):
        return stem + "k"
    return stem


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def normalise(text: str) -> str:
    """``text`` as a space-separated sequence of roots, for phrase matching."""
    return " ".join(root(word) for word in words(text))


@lru_cache(maxsize=1)
def dictionary() -> frozenset[str]:
    """Every root word of Sastrawi's dictionary (about 30,000)."""
    return frozenset(_stemmer.delegatedStemmer.dictionary.words)
