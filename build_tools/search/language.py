"""What the search box knows of Indonesian as agents type it, defined once here and written
into ``lexicon.json`` at build time for the browser (:func:`rules`): the modules under
``assets/search/`` hold no word list, affix rule, pattern or threshold of their own.

* :data:`STOPWORDS`: words a question is made of that never decide which SOP answers it
  (``yang``, ``cara``, ``gimana``, ``dong``, ``tolong``…). They are dropped from a query
  unless it holds nothing else; they are never required. One with a particle or possessive
  ending is filler too (:data:`FILLER_ENDINGS`: ``maunya``, ``bisakah``).
* :data:`ABBREVIATIONS`: chat's abbreviations of content words, read as the word they stand
  for (``tgl``: ``tanggal``); those of function words are filler (``yg``, ``utk``).
* :data:`SUFFIXES` and :data:`PREFIXES`: the affix stripping the box applies to a typed
  word, after the rules of Sastrawi's stemmer (the dictionary stemmer the index is built
  with, :mod:`build_tools.model.words`), accepted only when it lands on a root the site's
  index knows. A test runs them in Chromium against Sastrawi over every word of a site.
* :func:`candidates` and :func:`edit_letters`: the forms the box tries for a typed word and
  the letters a typing slip involves, applying those rules as ``assets/search/forms.js``
  and ``correct.js`` do (see :mod:`.reading` for why the algorithm is written on both
  sides, and the test that holds them to the same results).
* :func:`real_words_near`: the words of Sastrawi's dictionary the box's typo correction
  would turn into a site's word by more than a vowel (``pelan`` → ``peran``), and its
  short words, which a longer word may hold under its affixes (``ngegas``: ``gas``), written
  into ``words.json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from build_tools.model.words import ACCENT, DOUBLED, WORD

#: Function words, question words and chat fillers (Indonesian, informal spellings, and the
#: English ones agents mix in).
STOPWORDS = frozenset("""
yang di ke dari pada untuk buat bagi dengan sama dan atau serta juga lalu terus kalau kalo
klo jika bila apabila kapan gimana bagaimana gmn bgmn gmana caranya cara apa apakah apa2
siapa mana dimana kemana berapa kenapa mengapa kok sih dong deh nih tuh ya yah yaa kah lah
pun aja saja cuma hanya ini itu tersebut ada adalah ialah harus wajib perlu bisa boleh
dapat mau ingin pengen pgn tolong mohon minta bantu saya aku gue gw kita kami kamu anda
dia mereka nya kak kakak min admin gan sis bro pak bu mas mbak om tante deh dulu udah
sudah sdh belum blm lagi lg masih akan sedang lagi tidak tak ga gak nggak ngga enggak
tdk jangan bukan sangat banget bgt sekali tentang soal mengenai bilang ngomong tau tahu gitu
gini begitu begini kayak kaya seperti biar supaya agar jadi nanti terus trus abis habis
setelah sesudah sebelum selama telah tiap setiap
yg utk dgn krn karna brp knp kpn sm dr dlm pd jg bs tp tpi trs udh aj mw sy ak km kmu gk no dmn
hrs jgn sblm msh blh spt kyk tsb dll dsb pls plis
tapi tetapi namun padahal walau walaupun meski meskipun sedangkan memang emang kata mulu melulu
yakin mungkin tadi barusan sebenarnya sebetulnya gara
the a an of to in on for how what who when is are do does can should please help my i we you it up
""".split())
#: A filler word with one of these endings is filler (``maunya``, ``bisakah``, ``harusnya``),
#: if what is left has this many letters or more (``kenya`` is no ``ke`` + ``-nya``).
FILLER_ENDINGS = ("nya", "lah", "kah")
SHORTEST_FILLER_STEM = 3

#: Chat abbreviations of content words (and chat spellings the affix rules do not reach),
#: read as the word they stand for before anything else; kept short: each is a word agents
#: write for that one word only.
ABBREVIATIONS = {
    "dtg": "datang", "tgl": "tanggal", "smp": "sampai", "ampe": "sampai", "mnt": "menit",
    "bls": "balas", "byr": "bayar", "krm": "kirim", "kmrn": "kemarin", "tlp": "telepon",
    "jwb": "jawab",
}

#: Suffix groups, stripped in this order (particles, possessives, derivational endings).
SUFFIXES = ("(lah|kah|tah|pun)$", "(ku|mu|nya)$", "(kan|an|i)$")
#: Derivational endings also tried on their own, whatever was stripped before.
ENDINGS = ("kan", "an", "i")
#: Prefix rules: a pattern and the forms of the root it may stand for ($1: the rest).
PREFIXES = (
    ("^di(.{3,})$", ("$1",)), ("^ke(.{3,})$", ("$1",)), ("^se(.{3,})$", ("$1",)),
    ("^ter(.{3,})$", ("$1", "r$1")), ("^ber(.{3,})$", ("$1", "r$1")), ("^be(.{3,})$", ("$1",)),
    ("^per(.{3,})$", ("$1", "r$1")),
    ("^meny([aiueo].{2,})$", ("s$1", "ny$1")), ("^peny([aiueo].{2,})$", ("s$1", "ny$1")),
    ("^meng(.{3,})$", ("$1", "k$1")), ("^peng(.{3,})$", ("$1", "k$1")),
    ("^mem(.{3,})$", ("$1", "p$1", "m$1")), ("^pem(.{3,})$", ("$1", "p$1", "m$1")),
    ("^men(.{3,})$", ("$1", "t$1", "n$1")), ("^pen(.{3,})$", ("$1", "t$1", "n$1")),
    ("^me(.{3,})$", ("$1",)), ("^pe(.{3,})$", ("$1",)),
    # Informal (Jakarta) verb forms: nge-/ng-/ny-/n-/m- for me-, -in for -kan.
    ("^nge(.{3,})$", ("$1",)), ("^ng([aiueo].{2,})$", ("k$1", "$1")),
    ("^ny([aiueo].{2,})$", ("s$1", "c$1")), ("^n([aiueo].{2,})$", ("t$1",)),
    ("^m([aiueo].{2,})$", ("p$1",)),
)
#: Informal endings, tried like the derivational ones (``balikin`` → ``balik``).
INFORMAL_ENDINGS = ("in",)
#: Informal spellings of a final diphthong, tried after the endings: chat writes ``-ai`` as
#: ``-e`` and ``-au`` as ``-o`` (``sampe``, ``pake``, ``kalo``). Like every form, kept only
#: when it is a root the site knows.
INFORMAL_SPELLINGS = (("e", "ai"), ("o", "au"))

#: How many rounds of prefixes are taken off (``diperpanjang``: di-, then per-).
PREFIX_ROUNDS = 3
#: A form with an affix taken off keeps at least this many letters.
SHORTEST_FORM = 3
#: An informal spelling is read only in a word of at least this many letters (``sampe``).
SHORTEST_RESPELLED = 4
_SUFFIX_RULES = [re.compile(pattern) for pattern in SUFFIXES]
_PREFIX_RULES = [(re.compile(pattern), forms) for pattern, forms in PREFIXES]

#: A question's words shorter than this are no words (``a``, ``e`` of ``e-mail``).
SHORTEST_QUERY_WORD = 2
#: The shortest root a typed word may be corrected to, and the shortest word corrected;
#: a word with a digit is never corrected (``24jam``, ``3x``).
SHORTEST_CORRECTED_ROOT = 4
SHORTEST_CORRECTED_WORD = 5
NEVER_CORRECTED = "[0-9]"


def is_filler(word: str) -> bool:
    """Whether a question's word is filler (:data:`STOPWORDS`, :data:`FILLER_ENDINGS`), as
    the box reads it (``assets/search/query.js``: ``isFiller``)."""
    return word in STOPWORDS or any(
        word.endswith(end) and len(word) - len(end) >= SHORTEST_FILLER_STEM
        and word[:-len(end)] in STOPWORDS for end in FILLER_ENDINGS)


def edit_letters(a: str, b: str) -> str | None:
    """The letters one edit between ``a`` and ``b`` involves (added, dropped, changed, or
    two neighbours swapped), "" when they are equal, None when they are further apart; as
    the box's own (``assets/search/correct.js``: ``editLetters``)."""
    if a == b:
        return ""
    if abs(len(a) - len(b)) > 1:
        return None
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        if a[i + 1:] == b[i + 1:] or (a[i:i + 2] == b[i:i + 2][::-1] and a[i + 2:] == b[i + 2:]):
            return a[i] + b[i]
        return None
    if len(a) > len(b):
        return a[i] if a[i + 1:] == b[i:] else None
    return b[i] if a[i:] == b[i + 1:] else None


#: A slip of these letters alone is another spelling of the same word (``antrian``,
#: ``antrean``), corrected even in a real word.
VOWELS = frozenset("aiueo")


def candidates(word: str) -> list[str]:
    """The forms the box tries for a typed word, in its order (``assets/search/forms.js``:
    ``candidates``): suffixes stripped, then prefixes, :data:`PREFIX_ROUNDS` levels deep."""
    seen, level = [word], [word]
    for _ in range(PREFIX_ROUNDS):
        following: list[str] = []
        for form in level:
            for stripped in _without_suffixes(form):
                if stripped not in seen:
                    seen.append(stripped)
                for pattern, replacements in _PREFIX_RULES:
                    match = pattern.match(stripped)
                    if match:
                        following.extend(to.replace("$1", match.group(1)) for to in replacements)
        seen.extend(form for form in dict.fromkeys(following) if form not in seen)
        level = following
    return seen


def _without_suffixes(word: str) -> list[str]:
    forms, current = [word], word
    for suffix in _SUFFIX_RULES:
        following = suffix.sub("", current)
        if following != current and len(following) >= SHORTEST_FORM:
            forms.append(following)
            current = following
    for form in list(forms):
        forms.extend(form[:-len(end)] for end in (*ENDINGS, *INFORMAL_ENDINGS)
                     if len(form) - len(end) >= SHORTEST_FORM and form.endswith(end))
    for form in list(forms):
        forms.extend(form[:-len(end)] + written for end, written in INFORMAL_SPELLINGS
                     if len(form) >= SHORTEST_RESPELLED and form.endswith(end))
    return forms


def real_words_near(roots: Iterable[str], dictionary: Iterable[str]) -> list[str]:
    """The words of ``dictionary`` the box would take for a typing slip of a root the site
    knows by more than a vowel (one of its forms one edit from such a root, same first
    letter): real words a question may hold that the site does not use (``kemarin``,
    ``pelan``), which it must not read as ``kemas`` or ``peran``. A vowel apart is another
    spelling of the same word (``antrian``, ``antrean``) and is corrected.

    And every word of ``dictionary`` shorter than a corrected word (:data:`SHORTEST_FORM`
    letters or more) the site does not have as a root: never corrected itself, it may be
    what a longer word holds under its affixes, which is then a real word too (``ngegas``:
    ``gas``, not ``kegas``, a slip of ``kemas``; ``cairnya``: ``cair``, not ``cari``)."""
    return RealWords(dictionary).near(roots)


class RealWords:
    """:func:`real_words_near` for one dictionary and roots that grow, as those of a
    ``mkdocs serve`` session do with each edit. The dictionary's forms are worked out once;
    a few added roots are then compared only with the forms of their first letter and
    length, in milliseconds, where going over the whole dictionary again took 0.6 s of the
    interpreter's lock beside the rebuild of the writer's next edit."""

    #: More added roots than this: the whole dictionary is gone over again.
    FEW = 200

    def __init__(self, dictionary: Iterable[str]) -> None:
        dictionary = list(dictionary)
        self._words = [(word, candidates(word)) for word in dictionary
                       if len(word) >= SHORTEST_CORRECTED_WORD]
        self._short = frozenset(word for word in dictionary
                                if SHORTEST_FORM <= len(word) < SHORTEST_CORRECTED_WORD)
        self._known: frozenset[str] | None = None
        self._found: set[str] = set()
        self._by_form: dict[str, list[str]] | None = None
        self._by_start: dict[tuple[str, int], list[tuple[str, str]]] | None = None
        self._forms_of: dict[str, list[str]] = {}

    def near(self, roots: Iterable[str]) -> list[str]:
        known = frozenset(root for root in roots if len(root) >= SHORTEST_CORRECTED_ROOT)
        if self._known is None or not self._known <= known or \
                len(known) - len(self._known) > self.FEW:
            self._found = self._all(known)
        elif known != self._known:
            self._add(known, known - self._known)
        self._known = known
        return sorted(self._found)

    def _all(self, known: frozenset[str]) -> set[str]:
        shortest = SHORTEST_CORRECTED_ROOT
        # Words one edit apart share a form with one letter (or none) left out.
        by_form: dict[str, list[str]] = {}
        for root in known:
            for form in {root, *(root[:i] + root[i + 1:] for i in range(len(root)))}:
                by_form.setdefault(form, []).append(root)

        def near(form: str) -> bool:
            return len(form) >= shortest and any(
                root[0] == form[0] and _slip(form, root)
                for left_out in {form, *(form[:i] + form[i + 1:] for i in range(len(form)))}
                for root in by_form.get(left_out, ()))

        return {word for word, forms in self._words
                if word not in known and not any(form in known for form in forms)
                and any(map(near, forms))} | (self._short - known)

    def _add(self, known: frozenset[str], added: frozenset[str]) -> None:
        if self._by_form is None or self._by_start is None:
            self._by_form, self._by_start = {}, {}
            self._forms_of = dict(self._words)
            for word, forms in self._words:
                for form in forms:
                    self._by_form.setdefault(form, []).append(word)
                    if len(form) >= SHORTEST_CORRECTED_ROOT:
                        self._by_start.setdefault((form[0], len(form)), []).append((word, form))
        # A word that is now a root, or has one among its forms, is the site's own.
        self._found.difference_update(added)
        for root in added:
            self._found.difference_update(self._by_form.get(root, ()))
        for root in added:
            for length in (len(root) - 1, len(root), len(root) + 1):
                for word, form in self._by_start.get((root[0], length), ()):
                    if word not in self._found and _slip(form, root) and \
                            not any(other in known for other in self._forms_of[word]):
                        self._found.add(word)


def _slip(form: str, root: str) -> bool:
    """Whether ``form`` is one edit from ``root`` by more than a vowel."""
    letters = edit_letters(form, root)
    return letters is not None and not set(letters) <= VOWELS


def rules() -> dict[str, object]:
    """The rules of this module and the word patterns of :mod:`build_tools.model.words`, as
    ``lexicon.json`` gives them to the box (``language``; names as its modules use them)."""
    return {"word": WORD, "accent": ACCENT, "doubled": DOUBLED,
            "shortestQueryWord": SHORTEST_QUERY_WORD, "stopwords": sorted(STOPWORDS),
            "fillerEndings": list(FILLER_ENDINGS), "shortestFillerStem": SHORTEST_FILLER_STEM,
            "abbreviations": dict(sorted(ABBREVIATIONS.items())),
            "suffixes": list(SUFFIXES), "endings": [*ENDINGS, *INFORMAL_ENDINGS],
            "spellings": [list(pair) for pair in INFORMAL_SPELLINGS],
            "prefixes": [[pattern, list(forms)] for pattern, forms in PREFIXES],
            "prefixRounds": PREFIX_ROUNDS, "shortestForm": SHORTEST_FORM,
            "shortestRespelled": SHORTEST_RESPELLED,
            "shortestCorrectedRoot": SHORTEST_CORRECTED_ROOT,
            "shortestCorrectedWord": SHORTEST_CORRECTED_WORD,
            "neverCorrected": NEVER_CORRECTED, "vowels": "".join(sorted(VOWELS))}
