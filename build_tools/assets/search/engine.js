/* Pagefind's index and the lexicon, loaded once (and again after a failure), and the
 * ranking of pages for a question. Everything is loaded from this site. */
import {root, settings, siteUrl} from "../site.js";
import {compile, realWords} from "./lexicon.js";
import {needsRealWords, queryTerms} from "./query.js";

let engine = null;

/* Pagefind (its script, worker and metadata) and the lexicon, as one promise. */
export function load() {
  if (!engine) {
    const pagefind = import(siteUrl(settings.uris.pagefind).href).then((module) =>
      // init() starts Pagefind's worker and loads the index's metadata now, while the
      // person is still typing, instead of on the first search.
      module.options({baseUrl: root.pathname}).then(() => {
        module.init();
        return module;
      }));
    const lexicon = fetch(siteUrl(settings.uris.lexicon)).then((response) => {
      if (!response.ok) { throw new Error("lexicon: HTTP " + response.status); }
      return response.json();
    }).then(compile);
    engine = Promise.all([pagefind, lexicon]).then(([module, words]) =>
      // A large site's index comes in several parts (pagefind/, pagefind-2/...), named in
      // the lexicon; Pagefind searches them together and merges the results by score.
      Promise.all(words.indexes.map((folder) =>
        module.mergeIndex(siteUrl(folder).pathname, {baseUrl: root.pathname})))
        .then(() => ({pagefind: module, lexicon: words, pageWeights: null})))
      .catch((error) => {
        // A failed load (a 404 while `mkdocs serve` re-indexes, a dropped connection) is
        // forgotten, so the next keystroke loads again.
        engine = null;
        throw error;
      });
  }
  return engine;
}

/* The pages that weigh less than an SOP page in search (the reference and hand-written
 * pages), each with its weight: the build marks each with a hidden word naming its weight
 * (build_tools/search/browser.py, weight_word), searched as a query's words are, beside
 * them. Applied by the ranking itself: Pagefind weighs a page's words by it, but a word no
 * SOP page holds would still make that page the best for the word, and the ranking counts
 * a page relative to the best. */
function pageWeights(pagefind) {
  const marks = Object.entries(settings.weights || {});
  return Promise.all(marks.map(([word, weight]) => pagefind.search(word).then((found) =>
    found.results.map((result) => [result.id, weight])))).then((lists) => new Map(lists.flat()));
}

/* The index changed under the page (a fragment could not be fetched): load it again. */
export function forget() { engine = null; }

/* ``loaded``, once the real words are in when ``query`` holds a word a slip could be
 * corrected in. */
function withRealWords(query, loaded) {
  if (loaded.lexicon.realSet || !needsRealWords(query, loaded.lexicon)) { return loaded; }
  return realWords(loaded.lexicon, siteUrl(settings.uris.words)).then(() => loaded);
}

/* Pages ranked for a query. No term is required: each term is searched on its own, and a
 * page scores by the terms it matches, each counting by how rare it is across the site
 * (a word on every page decides nothing) times how well the page matches it (Pagefind's
 * score, which weighs a title, a step's action or a situation above a detail paragraph),
 * relative to the best page for that term, times the page's own weight (see pageWeights). */
export function rank(query) {
  return load().then((loaded) => withRealWords(query, loaded)).then((loaded) => {
    const terms = queryTerms(query, loaded.lexicon);
    if (!terms.length) { return {terms: terms, results: [], lexicon: loaded.lexicon}; }
    if (!loaded.pageWeights) {  // searched once, with the first query's words
      loaded.pageWeights = pageWeights(loaded.pagefind);
      loaded.pageWeights.catch(() => { loaded.pageWeights = null; });
    }
    const searched = Promise.all(terms.map((term) => loaded.pagefind.search(term)));
    return Promise.all([loaded.pageWeights, searched]).then(([pageWeights, singles]) => {
      const pages = Math.max(...singles.map((single) => single.results.length));
      const byId = new Map();
      const weights = Object.create(null);  // term → rarity
      singles.forEach((single, index) => {
        const rarity = Math.log(1 + (pages + 1) / (single.results.length + 1));
        weights[terms[index]] = rarity;
        const best = single.results.reduce((top, result) => Math.max(top, result.score), 0);
        single.results.forEach((result) => {
          let entry = byId.get(result.id);
          if (!entry) {
            entry = {result: result, matched: 0, score: 0};
            byId.set(result.id, entry);
          }
          entry.matched += 1;
          const weight = pageWeights.get(result.id) ?? 1;
          entry.score += rarity * (best ? result.score / best : 0) * weight;
        });
      });
      const merged = Array.from(byId.values());
      merged.sort((a, b) => b.score - a.score);
      return {terms: terms, weights: weights, results: merged, lexicon: loaded.lexicon};
    });
  });
}
