/* Search box of the SOP knowledge base: Pagefind's index, a question reduced to the roots
 * the site knows (word lists, affix rules and patterns come from lexicon.json, written at
 * build time from build_tools/search/language.py and build_tools/model/words.py), results
 * ranked by how many of its words a page matches, each with the SOP title, the step that
 * matched, the sentence that answers and the step's reply template. Everything is loaded
 * from this site.
 *
 * The modules: words.js (how text splits into words), forms.js (affixes), correct.js
 * (typing slips), lexicon.js, query.js (what a question asks for), engine.js (loading and
 * ranking), answer.js (the section and sentence that answer), results.js, suggest.js (when
 * nothing matches), reply.js (a result's reply template), items.js, listbox.js and box.js
 * (a box itself); ../site.js gives them the settings the build writes. */
import {texts} from "../site.js";
import {attach} from "./box.js";
import {candidates, rootOf} from "./forms.js";
import {load, rank} from "./engine.js";
import {queryTerms} from "./query.js";
import {SHOWN, allAnswered} from "./results.js";
import {closest} from "./suggest.js";

/* The home page's box (docs/index.md), when the page has one. */
const HOME = "#sop-home-q";

/* The header's box on every page, and the home page's; ``/`` goes to the home page's box
 * there, else to the header's, without typing itself (nor into an empty box it is in
 * already: a question does not start with one); ``?q=`` is searched at once. */
function build() {
  const header = document.querySelector(".md-header__inner");
  if (!header || document.querySelector(".sop-search")) { return; }
  const text = texts("search");
  const box = document.createElement("div");
  box.className = "sop-search";
  box.setAttribute("role", "search");
  const input = document.createElement("input");
  input.className = "sop-search__input";
  input.type = "search";
  input.placeholder = text.placeholder;
  input.setAttribute("aria-label", text.label);
  box.appendChild(input);
  const title = header.querySelector(".md-header__title");
  header.insertBefore(box, title ? title.nextSibling : null);
  let main = attach(box, input);
  const home = document.querySelector(HOME);
  if (home && home.form) {
    home.form.classList.add("sop-search--home");
    main = attach(home.form, home);
  }
  document.addEventListener("keydown", (event) => {
    const active = document.activeElement;
    const emptyBox = active.getAttribute("role") === "combobox" && !active.value;
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) || active.isContentEditable;
    if (event.key === "/" && (emptyBox || !typing) && !event.ctrlKey && !event.metaKey &&
        !event.altKey) {
      event.preventDefault();
      main.input.focus();
    }
  });
  const initial = new URL(window.location.href).searchParams.get("q");
  if (initial) { main.input.value = initial; main.input.focus(); main.run(); }
}

/* Agents search under time pressure: once the page has loaded and the browser is idle,
 * Pagefind (script, worker, metadata: about 100 KB, cached after the first page) and the
 * lexicon are loaded, so the first query does not wait for them. Not when the reader
 * asked to save data: then they load when the box gets focus. */
function preload() {
  if (navigator.connection && navigator.connection.saveData) { return; }
  const idle = window.requestIdleCallback || ((callback) => setTimeout(callback, 200));
  idle(() => { load().catch(() => {}); });
}

/* For tests and the benchmark: the same ranking the box shows, as data. */
window.sopKbSearch = {
  rank: (query, limit) => rank(query).then((ranked) =>
    allAnswered(ranked, limit || SHOWN).then((found) =>
      ({terms: ranked.terms, results: found.map((entry) => entry.shown)}))),
  terms: (query) => load().then((loaded) => queryTerms(query, loaded.lexicon)),
  rootOf: (word) => load().then((loaded) => rootOf(word, loaded.lexicon)),
  candidates: (word) => load().then((loaded) => candidates(word, loaded.lexicon.affixes)),
  closest: closest
};

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", build);
} else {
  build();
}
if (document.readyState === "complete") {
  preload();
} else {
  window.addEventListener("load", preload);
}
