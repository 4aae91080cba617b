/* The search box in the header, an ARIA 1.2 combobox: the results are options of a
 * listbox, the arrow keys move through them, Enter opens the highlighted one (or the
 * first) of the query as typed now, never of an earlier one, Escape closes the list and
 * keeps focus in the box, and a polite live region says how many results there are. */
import {siteUrl, texts} from "../site.js";
import {forget, load, rank} from "./engine.js";
import {note, resultItem, suggestionItem} from "./items.js";
import {SHOWN, answered} from "./results.js";
import {closest} from "./suggest.js";

const MARKUP = '<input class="sop-search__input" type="search" autocomplete="off" ' +
  'role="combobox" aria-expanded="false" aria-autocomplete="list" ' +
  'aria-controls="sop-search-list">' +
  '<div class="sop-search__results" hidden>' +
  '<div class="sop-search__list" id="sop-search-list" role="listbox"></div>' +
  '<div class="sop-search__message"></div></div>' +
  '<div class="sop-visually-hidden sop-search__status" role="status"></div>';

/* The list of options and what it says. */
function listbox(box, input) {
  const panel = box.querySelector(".sop-search__results");
  const list = box.querySelector(".sop-search__list");
  const message = box.querySelector(".sop-search__message");
  const status = box.querySelector(".sop-search__status");
  const ui = {panel: panel, list: list, message: message, active: -1};
  ui.options = () => Array.from(list.querySelectorAll('[role="option"]'));
  ui.highlight = (index) => {
    const all = ui.options();
    ui.active = all.length && index >= 0 ? (index + all.length) % all.length : -1;
    all.forEach((option, place) => {
      option.setAttribute("aria-selected", place === ui.active ? "true" : "false");
    });
    if (ui.active >= 0) {
      input.setAttribute("aria-activedescendant", all[ui.active].id);
      if (all[ui.active].scrollIntoView) { all[ui.active].scrollIntoView({block: "nearest"}); }
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };
  ui.open = (visible) => {
    panel.hidden = !visible;
    input.setAttribute("aria-expanded", visible ? "true" : "false");
    if (!visible) { ui.highlight(-1); }
  };
  ui.add = (element) => {
    element.setAttribute("role", "option");
    element.setAttribute("aria-selected", "false");
    element.id = "sop-search-option-" + ui.options().length;
    list.appendChild(element);
  };
  ui.say = (text) => { status.textContent = text; };
  ui.clear = () => {
    list.textContent = "";
    message.textContent = "";
    ui.highlight(-1);
  };
  return ui;
}

export function build() {
  const header = document.querySelector(".md-header__inner");
  if (!header || document.querySelector(".sop-search")) { return; }
  const text = texts("search");
  const box = document.createElement("div");
  box.className = "sop-search";
  box.setAttribute("role", "search");
  box.innerHTML = MARKUP;
  const input = box.querySelector("input");
  const ui = listbox(box, input);
  input.placeholder = text.placeholder;
  input.setAttribute("aria-label", text.label);
  ui.list.setAttribute("aria-label", text.label);
  const title = header.querySelector(".md-header__title");
  header.insertBefore(box, title ? title.nextSibling : null);

  let counter = 0;
  let shownFor = null;     // the query whose results the list shows, all loaded
  let openWhenShown = false;

  function emptyState(query, ticket) {
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
    });
  }

  function unavailable(ticket) {
    if (ticket !== counter) { return; }
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
      head.forEach((entry) => { ui.add(resultItem(entry.shown)); });
      ui.open(true);
    });
    parts.rest.forEach((later) => {
      shown = shown.then(() => later).then((entry) => {
        if (entry && ticket === counter) { ui.add(resultItem(entry.shown)); }
      });
    });
    shown.then(() => {
      if (ticket !== counter) { return; }
      ui.panel.removeAttribute("aria-busy");
      shownFor = query;
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
      return;
    }
    rank(query).then((ranked) => show(query, ticket, ranked)).catch(() => unavailable(ticket));
  }

  function go() {
    const all = ui.options();
    const chosen = ui.active >= 0 ? all[ui.active] : all[0];
    if (chosen) { window.location.href = chosen.href; }
  }

  input.addEventListener("input", run);
  input.addEventListener("focus", () => {
    load().catch(() => {});
    if (input.value && ui.panel.hidden) { run(); }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (ui.panel.hidden && input.value.trim()) { ui.open(true); }
      const step = event.key === "ArrowDown" ? 1 : -1;
      ui.highlight(ui.active < 0 && step < 0 ? ui.options().length - 1 : ui.active + step);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!input.value.trim()) { return; }
      if (shownFor === input.value.trim()) { go(); } else { openWhenShown = true; }
    } else if (event.key === "Escape") {
      if (!ui.panel.hidden) { event.preventDefault(); }
      ui.open(false);
    }
  });
  document.addEventListener("click", (event) => {
    if (!box.contains(event.target)) { ui.open(false); }
  });
  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) { event.preventDefault(); input.focus(); }
  });
  const initial = new URL(window.location.href).searchParams.get("q");
  if (initial) { input.value = initial; input.focus(); run(); }
}
