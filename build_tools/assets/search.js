/* Search box of the SOP knowledge base: Pagefind's index, Indonesian word forms reduced to
 * their root with the site's own lexicon, results with the SOP title and the matching step.
 * Everything is loaded from this site; no outside request. */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = new URL("../../", script.src);           // this file is assets/sop-kb/search.js
  var lang = (document.documentElement.lang || "en").slice(0, 2);
  var TEXT = {
    id: {placeholder: "Cari SOP, langkah, templat…", none: "Tidak ada hasil untuk", label: "Cari",
         unavailable: "Pencarian belum siap, coba lagi"},
    en: {placeholder: "Search SOPs, steps, templates…", none: "No results for", label: "Search",
         unavailable: "Search is not ready yet, try again"}
  }[lang] || null;
  if (!TEXT) {
    TEXT = {placeholder: "Search…", none: "No results for", label: "Search",
            unavailable: "Search is not ready yet, try again"};
  }

  var pagefind = null;
  var roots = null;

  function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", base).href).then(function (module) {
        // init() starts Pagefind's worker and loads the index's metadata now, while the
        // person is still typing, instead of on the first search.
        return module.options({baseUrl: base.pathname}).then(function () {
          module.init();
          return module;
        });
      });
      roots = fetch(new URL("assets/sop-kb/lexicon.json", base)).then(function (response) {
        if (!response.ok) { throw new Error("lexicon: HTTP " + response.status); }
        return response.json();
      }).then(function (data) { return new Set(data.roots); });
    }
    return Promise.all([pagefind, roots]).catch(function (error) {
      // A failed load (a 404 while `mkdocs serve` re-indexes, a dropped connection) is
      // forgotten, so the next keystroke loads again.
      pagefind = null;
      roots = null;
      throw error;
    });
  }

  /* Affix stripping after Sastrawi's rules, accepted only when it lands on a known root. */
  var SUFFIXES = [/(lah|kah|tah|pun)$/, /(ku|mu|nya)$/, /(kan|an|i)$/];
  var PREFIXES = [
    [/^di(.{3,})$/, ["$1"]], [/^ke(.{3,})$/, ["$1"]], [/^se(.{3,})$/, ["$1"]],
    [/^ter(.{3,})$/, ["$1", "r$1"]], [/^ber(.{3,})$/, ["$1", "r$1"]], [/^be(.{3,})$/, ["$1"]],
    [/^per(.{3,})$/, ["$1", "r$1"]],
    [/^meny([aiueo].{2,})$/, ["s$1", "ny$1"]], [/^peny([aiueo].{2,})$/, ["s$1", "ny$1"]],
    [/^meng(.{3,})$/, ["$1", "k$1"]], [/^peng(.{3,})$/, ["$1", "k$1"]],
    [/^mem(.{3,})$/, ["$1", "p$1", "m$1"]], [/^pem(.{3,})$/, ["$1", "p$1", "m$1"]],
    [/^men(.{3,})$/, ["$1", "t$1", "n$1"]], [/^pen(.{3,})$/, ["$1", "t$1", "n$1"]],
    [/^me(.{3,})$/, ["$1"]], [/^pe(.{3,})$/, ["$1"]]
  ];

  function withoutSuffixes(word) {
    var forms = [word];
    var current = word;
    SUFFIXES.forEach(function (suffix) {
      var next = current.replace(suffix, "");
      if (next !== current && next.length >= 3) { forms.push(next); current = next; }
    });
    forms.slice().forEach(function (form) {        // -kan and -an, -i tried on their own too
      ["kan", "an", "i"].forEach(function (end) {
        if (form.length - end.length >= 3 && form.slice(-end.length) === end) {
          forms.push(form.slice(0, -end.length));
        }
      });
    });
    return forms;
  }

  function rootOf(word, known) {
    if (known.has(word)) { return word; }
    var level = [word];
    for (var depth = 0; depth < 3; depth++) {
      var next = [];
      for (var i = 0; i < level.length; i++) {
        var forms = withoutSuffixes(level[i]);
        for (var j = 0; j < forms.length; j++) {
          if (known.has(forms[j])) { return forms[j]; }
          PREFIXES.forEach(function (rule) {
            if (rule[0].test(forms[j])) {
              rule[1].forEach(function (to) { next.push(forms[j].replace(rule[0], to)); });
            }
          });
        }
      }
      level = next;
    }
    return word;
  }

  function normalise(query, known) {
    return query.toLowerCase().split(/[^a-z0-9-]+/).filter(Boolean).map(function (word) {
      return rootOf(word, known);
    }).join(" ");
  }

  /* The hidden root-word lists (between two marker words) are indexed but are not text a
   * person wrote: cut them out of the excerpt. */
  var TERMS = /sopkbtermsstart[\s\S]*?(sopkbtermsend|$)|^[\s\S]*?sopkbtermsend/g;

  /* Pagefind's excerpt is HTML: escaped text with <mark> around the matched words. It is
   * parsed in an inert document (nothing in it loads or runs) and rebuilt from its text
   * alone, with <mark> the only element kept: `< 1 jam` shows as typed, never as markup. */
  function excerptNodes(excerpt) {
    var parsed = new DOMParser().parseFromString("<body>" + excerpt, "text/html").body;
    var pieces = [];                                // [text, marked] in reading order
    (function walk(node, marked) {
      node.childNodes.forEach(function (child) {
        if (child.nodeType === 3) { pieces.push([child.nodeValue, marked]); }
        else if (child.nodeType === 1) { walk(child, marked || child.nodeName === "MARK"); }
      });
    })(parsed, false);
    var text = pieces.map(function (piece) { return piece[0]; }).join("");
    var cut = text.replace(TERMS, function (match) { return "\u0000".repeat(match.length); });
    // A window that fell wholly inside a term list has no marker left to cut by, but it is
    // recognisable: lower-case words without a single capital or punctuation mark.
    if (!/[A-Z.,:;!?()]/.test(cut.replace(/\u0000/g, ""))) { return null; }
    var fragment = document.createDocumentFragment();
    var at = 0;
    pieces.forEach(function (piece) {
      var kept = cut.slice(at, at + piece[0].length).replace(/\u0000+/g, " ");
      at += piece[0].length;
      if (!kept) { return; }
      if (piece[1] && kept.trim()) {
        var mark = document.createElement("mark");
        mark.textContent = kept;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(kept));
      }
    });
    return fragment;
  }

  function bestSection(data) {
    var best = null;
    (data.sub_results || []).forEach(function (sub) {
      var weight = (sub.locations || []).length - (sub.url === data.url ? 0.5 : 0);
      if (!best || weight > best.weight) { best = {sub: sub, weight: weight}; }
    });
    return best ? best.sub : null;
  }

  function resultItem(data) {
    var sub = bestSection(data);
    var link = document.createElement("a");
    link.className = "sop-search__result";
    link.href = new URL((sub || data).url.replace(/^\//, ""), base).href;
    var title = document.createElement("span");
    title.className = "sop-search__title";
    title.textContent = data.meta && data.meta.title ? data.meta.title : data.url;
    link.appendChild(title);
    if (sub && sub.title && sub.title !== title.textContent) {
      var step = document.createElement("span");
      step.className = "sop-search__step";
      step.textContent = sub.title;
      link.appendChild(step);
    }
    var nodes = excerptNodes((sub || data).excerpt || "");
    if (nodes && nodes.textContent.trim()) {
      var excerpt = document.createElement("span");
      excerpt.className = "sop-search__excerpt";
      excerpt.appendChild(nodes);
      link.appendChild(excerpt);
    }
    return link;
  }

  function build() {
    var header = document.querySelector(".md-header__inner");
    if (!header || document.querySelector(".sop-search")) { return; }
    var box = document.createElement("div");
    box.className = "sop-search";
    box.setAttribute("role", "search");
    box.innerHTML = '<input class="sop-search__input" type="search" autocomplete="off">' +
      '<div class="sop-search__results" role="listbox" hidden></div>';
    var input = box.querySelector("input");
    var panel = box.querySelector(".sop-search__results");
    input.placeholder = TEXT.placeholder;
    input.setAttribute("aria-label", TEXT.label);
    var title = header.querySelector(".md-header__title");
    header.insertBefore(box, title ? title.nextSibling : null);

    var counter = 0;
    function run() {
      var query = input.value.trim();
      var ticket = ++counter;
      if (!query) {
        panel.hidden = true; panel.textContent = ""; panel.removeAttribute("aria-busy");
        return;
      }
      function unavailable() {
        if (ticket !== counter) { return; }
        var note = document.createElement("p");
        note.className = "sop-search__none sop-search__unavailable";
        note.textContent = TEXT.unavailable;
        panel.textContent = "";
        panel.appendChild(note);
        panel.removeAttribute("aria-busy");
        panel.hidden = false;
      }
      load().then(function (loaded) {
        return loaded[0].search(normalise(query, loaded[1]));
      }).then(function (search) {
        if (ticket !== counter) { return; }
        var results = search.results.slice(0, 8);
        if (!results.length) {
          var none = document.createElement("p");
          none.className = "sop-search__none";
          none.textContent = TEXT.none + " “" + query + "”";
          panel.textContent = "";
          panel.appendChild(none);
          panel.removeAttribute("aria-busy");
          panel.hidden = false;
          return;
        }
        // Each result is shown as soon as it and those ranked above it have loaded; the
        // list is busy until all have.
        var loadedData = [];
        var shown = 0;
        panel.setAttribute("aria-busy", "true");
        results.forEach(function (result, rank) {
          result.data().catch(function () {
            // A fragment that cannot be fetched: the index changed under the page (serve).
            pagefind = null;
            roots = null;
            unavailable();
          }).then(function (data) {
            if (!data) { return; }
            if (ticket !== counter) { return; }
            loadedData[rank] = data;
            if (shown === 0 && loadedData[0]) { panel.textContent = ""; }
            while (shown < results.length && loadedData[shown]) {
              panel.appendChild(resultItem(loadedData[shown++]));
            }
            if (shown === results.length) { panel.removeAttribute("aria-busy"); }
            panel.hidden = false;
          });
        });
      }).catch(unavailable);
    }

    input.addEventListener("input", run);
    input.addEventListener("focus", function () { load(); if (input.value) { run(); } });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        var first = panel.querySelector("a");
        if (first) { window.location.href = first.href; }
      } else if (event.key === "Escape") {
        panel.hidden = true; input.blur();
      }
    });
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target)) { panel.hidden = true; }
    });
    document.addEventListener("keydown", function (event) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (event.key === "/" && !typing) { event.preventDefault(); input.focus(); }
    });
    var initial = new URL(window.location.href).searchParams.get("q");
    if (initial) { input.value = initial; input.focus(); run(); }
  }

  /* Agents search under time pressure: once the page has loaded and the browser is idle,
   * Pagefind (script, worker, metadata: about 100 KB, cached after the first page) and the
   * lexicon are loaded, so the first query does not wait for them. Not when the reader
   * asked to save data: then they load when the box gets focus. */
  function preload() {
    if (navigator.connection && navigator.connection.saveData) { return; }
    var idle = window.requestIdleCallback || function (callback) { setTimeout(callback, 200); };
    idle(function () { load(); });
  }

  window.sopKbSearch = {rootOf: rootOf, normalise: normalise};
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
})();
