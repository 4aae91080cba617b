/* When nothing matches: the SOPs whose title and situation share most of the query's
 * roots (suggestions.json, loaded only then), and where to ask for a missing procedure. */
import {settings, siteUrl} from "../site.js";
import {oneEditApart} from "./correct.js";
import {load} from "./engine.js";
import {queryTerms} from "./query.js";

/* How many SOPs are suggested. */
const SUGGESTED = 3;

let suggestions = null;

/* The SOPs of ``sops`` (suggestions.json's) sharing most of ``terms``, a term shared when
 * a word is it or, for a term long enough to be corrected, one slip from it. */
export function closestSops(sops, terms, lexicon) {
  const scored = sops.map((sop) => {
    const words = sop.w.split(" ");
    const shared = terms.filter((term) => words.some((word) => word === term ||
      (term.length >= lexicon.correction.shortestWord && oneEditApart(term, word)))).length;
    return {sop: sop, shared: shared};
  }).filter((entry) => entry.shared > 0);
  scored.sort((a, b) => b.shared - a.shared);
  return scored.slice(0, SUGGESTED).map((entry) => entry.sop);
}

export function closest(query) {
  if (!suggestions) {
    suggestions = fetch(siteUrl(settings.uris.suggestions)).then((response) => {
      if (!response.ok) { throw new Error("suggestions: HTTP " + response.status); }
      return response.json();
    }).catch(() => { suggestions = null; return {request: null, sops: []}; });
  }
  return Promise.all([suggestions, load()]).then(([data, loaded]) => ({
    request: data.request,
    sops: closestSops(data.sops, queryTerms(query, loaded.lexicon), loaded.lexicon)
  }));
}
