/* A search box (main.js makes the one in the header of every page and attaches the home
 * page's large one), an ARIA 1.2 combobox showing the results as they are typed: the
 * arrow keys move through them, Enter opens the highlighted one (or the first) of the
 * query as typed now, never of an earlier one, Escape closes the list and keeps focus in
 * the box, and a polite live region says how many results there are.
 * A result's reply template has a "Salin" button beside it (Tab reaches it); a question
 * the site did not answer can be sent to the SOP writers, if the agent chooses to. */
import {SEARCHING, siteUrl, texts} from "../site.js";
import {forget, load, rank} from "./engine.js";
import {askItem, note, resultItem, suggestionItem} from "./items.js";
import {listbox} from "./listbox.js";
import {SHOWN, answered} from "./results.js";
import {copyAction} from "./reply.js";
import {closest} from "./suggest.js";

/* Live results for ``input``, their panel added to ``box``. */
export function attach(box, input) {
  const text = texts("search");
  const ui = listbox(box, input, text.label);
  let counter = 0;
  let shownFor = null;     // the query whose results the list shows, all loaded
  let openWhenShown = false;

  function busy(flag) {
    box.dispatchEvent(new CustomEvent(SEARCHING, {bubbles: true, detail: flag}));
  }

  function add(found) {
    const id = ui.nextId();
    const item = resultItem(found, id);
    ui.add(item, found.template ? copyAction(found.template, id + "-template", ui.say,
                                             ui.layout) : null);
  }

  function ask(query, label) {
    const link = askItem(query, label);
    if (link) { ui.message.appendChild(link); }
  }

  function emptyState(query, ticket) {
    busy(false);
    ui.clear();
    ui.message.appendChild(note("p", "sop-search__none", text.none + " “" + query + "”"));
    ui.say(text.none_short);
    closest(query).then((found) => {
      if (ticket !== counter) { return; }
      if (found.sops.length) {
        ui.list.parentNode.insertBefore(note("p", "sop-search__suggest", text.suggest), ui.list);
        found.sops.forEach((sop) => { ui.add(suggestionItem(sop.t, siteUrl(sop.u).href)); });
      }
      if (found.request) {
        ui.message.appendChild(note("a", "sop-search__request", text.request,
                                    siteUrl(found.request).href));
      }
      ask(query, text.ask);
      ui.layout();
    });
  }

  function unavailable(ticket) {
    if (ticket !== counter) { return; }
    busy(false);
    ui.clear();
    ui.message.appendChild(note("p", "sop-search__none sop-search__unavailable",
                                text.unavailable));
    ui.say(text.unavailable);
    ui.panel.removeAttribute("aria-busy");
    ui.open(true);
  }

  /* The results of ``ranked``: the first once ordered by their answering sections, the
   * later ones each as it and those above it have loaded (see results.answered); the list
   * is busy until all have. */
  function show(query, ticket, ranked) {
    if (ticket !== counter) { return; }
    if (!ranked.results.length) {
      emptyState(query, ticket);
      ui.panel.removeAttribute("aria-busy");
      shownFor = query;
      openWhenShown = false;
      ui.open(true);
      return;
    }
    ui.panel.setAttribute("aria-busy", "true");
    const parts = answered(ranked, SHOWN);
    let shown = parts.head.then((head) => {
      if (ticket !== counter) { return; }
      ui.clear();
      ui.open(true);
      head.forEach((entry) => { add(entry.shown); });
    });
    parts.rest.forEach((later) => {
      shown = shown.then(() => later).then((entry) => {
        if (entry && ticket === counter) { add(entry.shown); }
      });
    });
    shown.then(() => {
      if (ticket !== counter) { return; }
      busy(false);
      ui.panel.removeAttribute("aria-busy");
      shownFor = query;
      ask(query, text.missed);
      ui.say(text.count.replace("{n}", String(ui.options().length)));
      if (openWhenShown) { openWhenShown = false; go(); }
      ui.open(true);
    }, () => {
      // A fragment that cannot be fetched: the index changed under the page (serve).
      forget();
      unavailable(ticket);
    });
  }

  function run() {
    const query = input.value.trim();
    const ticket = ++counter;
    shownFor = null;
    ui.panel.querySelectorAll(".sop-search__suggest").forEach((p) => p.remove());
    if (!query) {
      ui.clear(); ui.open(false); ui.panel.removeAttribute("aria-busy"); ui.say("");
      busy(false);
      return;
    }
    busy(true);
    rank(query).then((ranked) => show(query, ticket, ranked)).catch(() => unavailable(ticket));
  }

  function go() {
    const all = ui.options();
    const chosen = ui.active >= 0 ? all[ui.active] : all[0];
    if (chosen) { window.location.href = chosen.href; }
  }

  /* Enter, or the home form's button: the highlighted result, or the first, of the query
   * as typed now (once its results are in). */
  function enter() {
    if (!input.value.trim()) { return; }
    if (shownFor === input.value.trim()) { go(); } else { openWhenShown = true; }
  }

  input.addEventListener("input", run);
  let back = false;        // the focus comes back from the list, closed by Escape
  input.addEventListener("focus", () => {
    load().catch(() => {});
    if (input.value && ui.panel.hidden && !back) { run(); }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (ui.panel.hidden && input.value.trim()) { ui.open(true); }
      const step = event.key === "ArrowDown" ? 1 : -1;
      ui.highlight(ui.active < 0 && step < 0 ? ui.options().length - 1 : ui.active + step);
    } else if (event.key === "Enter") {
      event.preventDefault();
      enter();
    } else if (event.key === "Escape") {
      if (!ui.panel.hidden) { event.preventDefault(); }
      ui.open(false);
    }
  });
  // Escape from a result's button or link: back to the box, the list closed.
  ui.panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") { return; }
    event.preventDefault();
    ui.open(false);
    back = true;
    input.focus();  // (its focus event runs now)
    back = false;
  });
  if (box.tagName === "FORM") {
    box.addEventListener("submit", (event) => { event.preventDefault(); enter(); });
  }
  document.addEventListener("click", (event) => {
    if (!box.contains(event.target)) { ui.open(false); }
  });
  return {input: input, run: run};
}
