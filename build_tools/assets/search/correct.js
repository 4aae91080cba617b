/* A typing slip forgiven: a longer word that reduces to no root the site knows is taken
 * for the root one slip away (build_tools/search/reading.py reads alike; a test holds both
 * to the same correction of every word of a site and of the benchmark's questions). */
import {candidates, rootOf} from "./forms.js";

/* The letters one edit between a and b involves (the letter added, dropped or changed,
 * or the two neighbours swapped: `kompalin` / `komplain`), "" when a is b, null when a
 * and b are further apart. */
export function editLetters(a, b) {
  if (a === b) { return ""; }
  const la = a.length, lb = b.length;
  if (Math.abs(la - lb) > 1) { return null; }
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) { i++; }
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) { return a[i] + b[i]; }
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2) ?
      a[i] + b[i] : null;
  }
  if (la > lb) { return a.slice(i + 1) === b.slice(i) ? a[i] : null; }
  return a.slice(i) === b.slice(i + 1) ? b[i] : null;
}

export function oneEditApart(a, b) { return editLetters(a, b) !== null; }

/* The site's roots by length, in the lexicon's order, worked out on the first correction. */
function byLength(lexicon) {
  if (!lexicon.byLength) {
    lexicon.byLength = new Map();
    lexicon.roots.forEach((known) => {
      if (!lexicon.byLength.has(known.length)) { lexicon.byLength.set(known.length, []); }
      lexicon.byLength.get(known.length).push(known);
    });
  }
  return lexicon.byLength;
}

/* The root one slip from a form of ``word`` (same first letter, both long enough); from a
 * real word (in words.json, or an affixed form of one) only a vowel away: a spelling of
 * the same word (`antrian` / `antrean`), not another word that looks alike (`pelan` /
 * `peran`). ``fallback`` when there is none. */
function nearest(word, lexicon, fallback) {
  const rules = lexicon.correction;
  const forms = candidates(word, lexicon.affixes);
  const real = !!lexicon.realSet && forms.some((form) => lexicon.realSet.has(form));
  const known = byLength(lexicon);
  for (const form of forms) {
    if (form.length < rules.shortestRoot) { continue; }
    for (let length = form.length - 1; length <= form.length + 1; length++) {
      for (const root of known.get(length) || []) {
        if (root[0] !== form[0] || root.length < rules.shortestRoot) { continue; }
        const letters = editLetters(form, root);
        if (letters !== null && (!real || rules.vowels.test(letters))) { return root; }
      }
    }
  }
  return fallback;
}

/* ``word``'s root; for a word of the correction's length or more that reduces to none
 * (and holds no digit), the root a slip away. */
export function correct(word, lexicon) {
  const root = rootOf(word, lexicon);
  const rules = lexicon.correction;
  if (lexicon.roots.has(root) || word.length < rules.shortestWord || rules.never.test(word)) {
    return root;
  }
  if (!lexicon.corrected.has(word)) { lexicon.corrected.set(word, nearest(word, lexicon, root)); }
  return lexicon.corrected.get(word);
}
