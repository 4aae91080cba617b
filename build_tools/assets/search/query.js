/* The roots a question asks for (build_tools/search/reading.py reads alike: a test holds
 * both to the same terms for every benchmark question). */
import {correct} from "./correct.js";
import {rootOf} from "./forms.js";
import {queryWords} from "./words.js";

/* The question's words without the filler (unless nothing else is left), each reduced to a
 * known root, typing slips corrected, each once. */
export function queryTerms(query, lexicon) {
  const words = queryWords(query, lexicon.tokens);
  const kept = words.filter((word) => !lexicon.stop.has(word));
  const terms = [];
  (kept.length ? kept : words).forEach((word) => {
    const term = correct(word, lexicon);
    if (!terms.includes(term)) { terms.push(term); }
  });
  return terms;
}

/* Whether a word of the question could be corrected: the real words are loaded first. */
export function needsRealWords(query, lexicon) {
  return queryWords(query, lexicon.tokens).some((word) =>
    word.length >= lexicon.correction.shortestWord && !lexicon.stop.has(word) &&
    !lexicon.roots.has(rootOf(word, lexicon)));
}
