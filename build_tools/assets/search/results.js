/* What the box shows of a ranking: the first pages, each with the section that answers,
 * the first few put in order of both. */
import {root, settings} from "../site.js";
import {answer, visible} from "./answer.js";

/* How many results are shown. */
export const SHOWN = 8;
/* How much the section that answers counts beside the page's own score (see answered). */
const SECTION_SHARE = 1.5;
/* How many of the first results are ordered by their answering sections: the first of
 * them waits for all of them to load. */
const REORDERED = 3;

/* The reply template a result shows: the answering step's, else the page's first (the
 * build gives each step's template in the page's metadata, see
 * build_tools/search/browser.py), with the heading of its step; null if none. */
export function template(data, url) {
  const meta = data.meta || {};
  const names = settings.templateMeta;
  const here = url.split("#")[1];
  const step = here && meta[names.prefix + here] ? here : meta[names.first];
  const text = step ? meta[names.prefix + step] : "";
  if (!text) { return null; }
  const heading = (data.anchors || []).find((anchor) => anchor.id === step);
  let decoded;
  try {  // UTF-8, a byte a symbol (build_tools/search/browser.py, as_symbols)
    const bytes = Uint8Array.from(text, (char) => {
      const byte = char.codePointAt(0) - settings.templateMeta.symbols;
      if (byte < 0 || byte > 255) { throw new RangeError("not a template"); }
      return byte;
    });
    decoded = new TextDecoder("utf-8", {fatal: true}).decode(bytes);
  } catch (error) { return null; }
  return {text: decoded, step: heading ? visible(heading.text) : step};
}

/* A result's address: a page of this site, never another host's (a file name under docs/
 * such as "\/host.md" would otherwise lead off the site); the site's home if it would. */
export function onSite(url) {
  const href = new URL(url.replace(/^\//, ""), root);
  return href.origin === root.origin && href.pathname.startsWith(root.pathname)
    ? href.href : root.href;
}

/* What a result shows and where it leads, from Pagefind's data for one page. */
export function describe(data, terms, lexicon, part) {
  const found = part || answer(data, terms, lexicon);
  const title = data.meta && data.meta.title ? visible(data.meta.title) : data.url;
  return {
    url: onSite(found.url),
    title: title,
    section: found.section && found.section !== title ? found.section : "",
    excerpt: found.excerpt,
    template: template(data, found.url)
  };
}

/* The first ``limit`` pages of a ranking, each with the section that answers. The first
 * REORDERED are put in the order of both how well the page matches the query's terms
 * (relative to the best page) and how many of them one section holds: a page whose words
 * are spread over its common sections gives way to one with a step that holds them all.
 * Returns a promise of those (``head``), with a promise for each later one (``rest``), in
 * the ranking's order: the box shows the head at once and the rest as they load. */
export function answered(ranked, limit) {
  const top = ranked.results.slice(0, limit);
  const best = top.length ? top[0].score : 0;
  const loading = top.map((entry) => entry.result.data());
  const found = (data, place) => {
    const part = answer(data, ranked.terms, ranked.lexicon, ranked.weights);
    const page = best ? top[place].score / best : 0;
    return {place: place, score: page + SECTION_SHARE * part.strength,
            shown: describe(data, ranked.terms, ranked.lexicon, part)};
  };
  const head = Promise.all(loading.slice(0, REORDERED)).then((datas) => {
    const entries = datas.map(found);
    entries.sort((a, b) => b.score - a.score || a.place - b.place);
    return entries;
  });
  const rest = loading.slice(REORDERED).map((data, index) =>
    data.then((loaded) => found(loaded, REORDERED + index)));
  return {head: head, rest: rest};
}

/* Every result of ``answered`` in the order shown. */
export function allAnswered(ranked, limit) {
  const parts = answered(ranked, limit);
  return Promise.all([parts.head].concat(parts.rest)).then((all) =>
    all[0].concat(all.slice(1)));
}
