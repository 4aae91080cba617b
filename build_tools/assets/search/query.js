/* The roots a question asks for (build_tools/search/reading.py reads alike: a test holds
 * both to the same terms for every benchmark question). */
import {correct} from "./correct.js";
import {rootOf} from "./forms.js";
import {queryWords} from "./words.js";

/* Whether a question's word is filler: a filler word, or one with a particle or possessive
 * ending (``maunya``, ``bisakah``) when what is left is long enough. */
export function isFiller(word, lexicon) {
  if (lexicon.stop.has(word)) { return true; }
  const filler = lexicon.filler;
  return filler.endings.some((end) => word.endsWith(end) &&
    word.length - end.length >= filler.shortestStem &&
    lexicon.stop.has(word.slice(0, -end.length)));
}

/* The question's words, chat's abbreviations read as the words they stand for. */
export function readWords(query, lexicon) {
  return queryWords(query, lexicon.tokens).map((word) =>
    lexicon.abbreviations.get(word) || word);
}

/* The question's words without the filler (unless nothing else is left), each reduced to a
 * known root, typing slips corrected, each once. */
export function queryTerms(query, lexicon) {
  const words = readWords(query, lexicon);
  const kept = words.filter((word) => !isFiller(word, lexicon));
  const terms = [];
  (kept.length ? kept : words).forEach((word) => {
    const term = correct(word, lexicon);
    if (!terms.includes(term)) { terms.push(term); }
  });
  return terms;
}

/* Whether a word of the question could be corrected: the real words are loaded first. */
export function needsRealWords(query, lexicon) {
  return readWords(query, lexicon).some((word) =>
    word.length >= lexicon.correction.shortestWord && !isFiller(word, lexicon) &&
    !lexicon.roots.has(rootOf(word, lexicon)));
}
