/* The section of a result that answers a question, and the sentence in it, from the page's
 * text as Pagefind stores it (whose hidden word lists carry the roots and synonyms of each
 * heading and section). The weights here are the box's own: nothing else ranks. */
import {settings} from "../site.js";
import {rootOf} from "./forms.js";
import {words} from "./words.js";

/* A query's word in a section counts this much, in the section's heading this much more; a
 * section at the page's top, or one of an SOP page's fixed sections (purpose, duties...),
 * counts this share of what a step counts. */
const IN_SECTION = 10;
const IN_HEADING = 6;
const AT_TOP = 0.3;
const FIXED = 0.6;
/* An excerpt is about this many words, from this many before its first marked word. */
const EXCERPT_WORDS = 30;
const BEFORE_FIRST = 10;

/* The hidden word lists (between the two marker words) are indexed but are not text a
 * person wrote: cut out of what is shown. */
const [START, END] = settings.terms;
const HIDDEN = new RegExp(START + "[\\s\\S]*?(" + END + "|$)", "g");

export function visible(text) {
  return text.replace(HIDDEN, " ").replace(/\s+/g, " ").trim();
}

/* The words of a piece of a page's text (one of its space-separated pieces), each piece
 * split once: pages share most of them, and a result's text is read at every query. */
function wordsOf(piece, lexicon) {
  let found = lexicon.pieces.get(piece);
  if (found === undefined) {
    found = words(piece, lexicon.tokens);
    lexicon.pieces.set(piece, found);
  }
  return found;
}

/* The query terms a piece of the page's text stands for: each of its words, or the word's
 * root. */
export function termsIn(piece, terms, lexicon) {
  const found = [];
  wordsOf(piece, lexicon).forEach((word) => {
    if (terms.includes(word)) { found.push(word); return; }
    let root = lexicon.rootOf.get(word);
    if (root === undefined) { root = rootOf(word, lexicon); lexicon.rootOf.set(word, root); }
    if (terms.includes(root)) { found.push(root); }
  });
  return found;
}

/* The sentences of ``text``; one ending in a label (``Penanggung jawab:``) is read with
 * what follows it, and a label with nothing after is no sentence. */
function sentences(text) {
  const found = [];
  text.split(/(?<=[.!?:;])\s+/).filter(Boolean).forEach((piece) => {
    const last = found.length - 1;
    if (last >= 0 && found[last].endsWith(":")) { found[last] += " " + piece; } else {
      found.push(piece);
    }
  });
  const complete = found.filter((candidate) => !candidate.endsWith(":"));
  return complete.length ? complete : found;
}

/* ``cut`` (words) without a label at its end: back to the separator or the sentence's end
 * before it, so that an excerpt never ends in "Target waktu:" with the value cut off. */
function withoutLastLabel(cut) {
  if (cut.length < 2 || !cut[cut.length - 1].endsWith(":")) { return cut; }
  for (let at = cut.length - 2; at > 0; at--) {
    if (cut[at] === "·") { return cut.slice(0, at); }
    if (/[.!?;]$/.test(cut[at])) { return cut.slice(0, at + 1); }
  }
  return cut;
}

/* The sentence of ``text`` holding most of the terms (the first if none does), cut to
 * about EXCERPT_WORDS words around them, as [text, marked] pieces. */
export function sentence(text, terms, lexicon) {
  let best = null;
  sentences(text).forEach((candidate) => {
    const hits = new Set();
    candidate.split(/\s+/).forEach((piece) => {
      termsIn(piece, terms, lexicon).forEach((term) => hits.add(term));
    });
    if (!best || hits.size > best.hits) { best = {text: candidate, hits: hits.size}; }
  });
  if (!best) { return []; }
  const shown = best.text.split(/\s+/);
  const marked = shown.map((piece) => termsIn(piece, terms, lexicon).length > 0);
  const first = marked.indexOf(true);
  const from = Math.max(0, Math.min(first - BEFORE_FIRST, shown.length - EXCERPT_WORDS));
  const pieces = from > 0 ? [["… ", false]] : [];
  const cut = withoutLastLabel(shown.slice(from, from + EXCERPT_WORDS));
  cut.forEach((piece, i) => {
    pieces.push([piece, marked[from + i]]);
    if (i < cut.length - 1) { pieces.push([" ", false]); }
  });
  if (from + cut.length < shown.length) { pieces.push([" …", false]); }
  return pieces;
}

/* The section of a page that answers (the heading and the text under it that hold the
 * most of the query's terms, each counting by its rarity across the site as in the
 * ranking, a step's heading counting most), and the sentence in it, with the terms
 * marked. ``strength``, the share of the query's words the page's best section holds, is
 * counted without the rarities: it orders the first results beside the page's rank, which
 * has counted them already. */
export function answer(data, terms, lexicon, weights) {
  const weight = (found) => {
    let sum = 0;
    found.forEach((term) => { sum += weights && term in weights ? weights[term] : 1; });
    return sum;
  };
  const pieces = (data.content || "").split(/\s+/);
  const headings = (data.anchors || []).filter((a) => /^h[1-6]$/i.test(a.element))
    .sort((a, b) => a.location - b.location);
  let best = null;
  let held = 0;
  headings.forEach((heading, index) => {
    const end = index + 1 < headings.length ? headings[index + 1].location : pieces.length;
    const headEnd = heading.location + heading.text.split(/\s+/).length;
    const found = new Set();
    const inHeading = new Set();
    for (let at = heading.location; at < end; at++) {
      wordsOf(pieces[at] || "", lexicon).forEach((word) => {
        if (!terms.includes(word)) { return; }
        found.add(word);
        if (at < headEnd) { inHeading.add(word); }
      });
    }
    const place = index === 0 ? AT_TOP : lexicon.sections.has(heading.id) ? FIXED : 1;
    const score = (weight(found) * IN_SECTION + weight(inHeading) * IN_HEADING) * place;
    held = Math.max(held, (found.size * IN_SECTION + inHeading.size * IN_HEADING) * place);
    if (!best || score > best.score) {
      best = {heading: heading, index: index, score: score, end: end, headEnd: headEnd};
    }
  });
  let url = data.url;
  let section = "";
  let body = visible(pieces.join(" "));
  if (best) {
    if (best.index > 0 && best.heading.id) { url = data.url.split("#")[0] + "#" + best.heading.id; }
    section = best.index > 0 ? visible(best.heading.text) : "";
    body = visible(pieces.slice(best.headEnd, best.end).join(" "));
  }
  return {url: url, section: section, excerpt: sentence(body, terms, lexicon),
          strength: terms.length ? held / (terms.length * (IN_SECTION + IN_HEADING)) : 0};
}
