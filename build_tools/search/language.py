"""What the search box knows of Indonesian as agents type it, defined once here and written
into ``lexicon.json`` at build time for the browser (``assets/search.js`` holds no word
list and no affix rule of its own).

* :data:`STOPWORDS`: words a question is made of that never decide which SOP answers it
  (``yang``, ``cara``, ``gimana``, ``dong``, ``tolong``…). They are dropped from a query
  unless it holds nothing else; they are never required.
* :data:`SUFFIXES` and :data:`PREFIXES`: the affix stripping the box applies to a typed
  word, after the rules of Sastrawi's stemmer (the dictionary stemmer the index is built
  with, :mod:`build_tools.model.words`), accepted only when it lands on a root the site's
  index knows. A test runs them in Chromium against Sastrawi over every word of a site.
"""

from __future__ import annotations

from collections.abc import Iterable

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
setelah sesudah sebelum telah tiap setiap
the a an of to in on for how what who when is are do does can should please my i we you it
""".split())

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


def browser_data(sections: Iterable[str] = ()) -> dict[str, object]:
    """The part of ``lexicon.json`` this module defines; ``sections``: the anchors of an SOP
    page's fixed sections (a result opens a step before one of them)."""
    return {"stopwords": sorted(STOPWORDS), "suffixes": list(SUFFIXES),
            "sections": sorted(sections),
            "endings": [*ENDINGS, *INFORMAL_ENDINGS],
            "prefixes": [[pattern, list(forms)] for pattern, forms in PREFIXES]}
