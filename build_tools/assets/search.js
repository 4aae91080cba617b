/* Search box of the SOP knowledge base: Pagefind's index, a question reduced to the roots the
 * site knows (word lists and affix rules come from lexicon.json, written at build time from
 * build_tools/search/language.py), results ranked by how many of its words a page matches,
 * each with the SOP title, the step that matched and the sentence that answers.
 * Everything is loaded from this site; no outside request. */
(function () {
  "use strict";

  var script = document.currentScript;
  var base = new URL("../../", script.src);           // this file is assets/sop-kb/search.js
  var lang = (document.documentElement.lang || "en").slice(0, 2);
  var TEXTS = {
    id: {placeholder: "Cari SOP, langkah, templat…", none: "Tidak ada hasil untuk", label: "Cari",
         unavailable: "Pencarian belum siap, coba lagi", suggest: "SOP yang situasinya paling mirip:",
         request: "Prosedur yang Anda cari belum ada? Usulkan SOP baru", step: "Langkah",
         count: "{n} hasil", noneShort: "tidak ada hasil"},
    en: {placeholder: "Search SOPs, steps, templates…", none: "No results for", label: "Search",
         unavailable: "Search is not ready yet, try again", suggest: "SOPs for the closest situations:",
         request: "Procedure missing? Ask for a new SOP", step: "Step",
         count: "{n} results", noneShort: "no results"}
  };
  var TEXT = TEXTS[lang] || TEXTS.en;
  var SHOWN = 8;
  /* How much the section that answers counts beside the page's own score (see answered). */
  var SECTION_SHARE = 1.5;
  /* How many of the first results are ordered by their answering sections: the first of
   * them waits for all of them to load. */
  var REORDERED = 3;

  var engine = null;

  function load() {
    if (!engine) {
      var pagefind = import(new URL("pagefind/pagefind.js", base).href).then(function (module) {
        // init() starts Pagefind's worker and loads the index's metadata now, while the
        // person is still typing, instead of on the first search.
        return module.options({baseUrl: base.pathname}).then(function () {
          module.init();
          return module;
        });
      });
      var lexicon = fetch(new URL("assets/sop-kb/lexicon.json", base)).then(function (response) {
        if (!response.ok) { throw new Error("lexicon: HTTP " + response.status); }
        return response.json();
      }).then(compile);
      engine = Promise.all([pagefind, lexicon]).then(function (loaded) {
        // A large site's index comes in several parts (pagefind/, pagefind-2/...), named in
        // the lexicon; Pagefind searches them together and merges the results by score.
        return Promise.all(loaded[1].indexes.map(function (folder) {
          return loaded[0].mergeIndex(new URL(folder, base).pathname, {baseUrl: base.pathname});
        })).then(function () { return {pagefind: loaded[0], lexicon: loaded[1]}; });
      }).catch(function (error) {
        // A failed load (a 404 while `mkdocs serve` re-indexes, a dropped connection) is
        // forgotten, so the next keystroke loads again.
        engine = null;
        throw error;
      });
    }
    return engine;
  }

  function compile(data) {
    return {
      roots: new Set(data.roots || []),
      byLength: null,
      stop: new Set(data.stopwords || []),
      suffixes: (data.suffixes || []).map(function (p) { return new RegExp(p); }),
      endings: data.endings || [],
      spellings: data.spellings || [],
      prefixes: (data.prefixes || []).map(function (rule) { return [new RegExp(rule[0]), rule[1]]; }),
      sections: new Set(data.sections || []),
      indexes: data.indexes || [],
      rootOf: new Map(),
      corrected: new Map(),
      real: null,           // words.json, loading or loaded (realWords)
      realSet: null         // its words, once loaded
    };
  }

  /* Real words one slip from a root the site knows (``kemarin`` beside ``kemas``): a word of
   * the question that is one of them, or an affixed form of one, is kept as typed, not
   * corrected. Loaded once, when a question first holds a word the site does not know. */
  function realWords(lexicon) {
    if (!lexicon.real) {
      lexicon.real = fetch(new URL("assets/sop-kb/words.json", base)).then(function (response) {
        if (!response.ok) { throw new Error("words: HTTP " + response.status); }
        return response.json();
      }).then(function (words) { return new Set(words); }, function () {
        lexicon.real = null;  // tried again with the next question
        return new Set();
      });
    }
    return lexicon.real;
  }

  /* Affix stripping, accepted only when it lands on a root the site knows. */
  function withoutSuffixes(word, lexicon) {
    var forms = [word];
    var current = word;
    lexicon.suffixes.forEach(function (suffix) {
      var next = current.replace(suffix, "");
      if (next !== current && next.length >= 3) { forms.push(next); current = next; }
    });
    forms.slice().forEach(function (form) {        // endings tried on their own too
      lexicon.endings.forEach(function (end) {
        if (form.length - end.length >= 3 && form.slice(-end.length) === end) {
          forms.push(form.slice(0, -end.length));
        }
      });
    });
    forms.slice().forEach(function (form) {        // sampe: sampai, kalo: kalau
      lexicon.spellings.forEach(function (pair) {
        if (form.length >= 4 && form.slice(-pair[0].length) === pair[0]) {
          forms.push(form.slice(0, -pair[0].length) + pair[1]);
        }
      });
    });
    return forms;
  }

  function candidates(word, lexicon) {
    var seen = [word];
    var level = [word];
    for (var depth = 0; depth < 3; depth++) {
      var next = [];
      level.forEach(function (form) {
        withoutSuffixes(form, lexicon).forEach(function (stripped) {
          if (seen.indexOf(stripped) < 0) { seen.push(stripped); }
          lexicon.prefixes.forEach(function (rule) {
            if (rule[0].test(stripped)) {
              rule[1].forEach(function (to) { next.push(stripped.replace(rule[0], to)); });
            }
          });
        });
      });
      next.forEach(function (form) { if (seen.indexOf(form) < 0) { seen.push(form); } });
      level = next;
    }
    return seen;
  }

  function rootOf(word, lexicon) {
    if (lexicon.roots.has(word)) { return word; }
    var forms = candidates(word, lexicon);
    for (var i = 0; i < forms.length; i++) {
      if (lexicon.roots.has(forms[i])) { return forms[i]; }
    }
    return word;
  }

  /* The letters one edit between a and b involves (the letter added, dropped or changed,
   * or the two neighbours swapped: `kompalin` / `komplain`), "" when a is b, null when a
   * and b are further apart. */
  function editLetters(a, b) {
    if (a === b) { return ""; }
    var la = a.length, lb = b.length;
    if (Math.abs(la - lb) > 1) { return null; }
    var i = 0;
    while (i < la && i < lb && a[i] === b[i]) { i++; }
    if (la === lb) {
      if (a.slice(i + 1) === b.slice(i + 1)) { return a[i] + b[i]; }
      return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2) ?
        a[i] + b[i] : null;
    }
    if (la > lb) { return a.slice(i + 1) === b.slice(i) ? a[i] : null; }
    return a.slice(i) === b.slice(i + 1) ? b[i] : null;
  }

  function oneEditApart(a, b) { return editLetters(a, b) !== null; }

  var VOWELS = /^[aiueo]+$/;

  /* A word of five letters or more that reduces to no known root is taken for the known
   * root (or an affixed form of one) it is one typing slip away from. A real word (in
   * words.json, or an affixed form of one) only for one a vowel away: a spelling of the
   * same word (`antrian` / `antrean`, `telpon` / `telepon`), not another word that looks
   * alike (`kemar(in)` / `kemas`, `pelan` / `peran`). */
  function correct(word, lexicon) {
    var root = rootOf(word, lexicon);
    if (lexicon.roots.has(root) || word.length < 5 || /[0-9]/.test(word)) { return root; }
    if (lexicon.corrected.has(word)) { return lexicon.corrected.get(word); }
    var forms = candidates(word, lexicon);
    var real = !!lexicon.realSet && forms.some(function (form) { return lexicon.realSet.has(form); });
    if (!lexicon.byLength) {
      lexicon.byLength = {};
      lexicon.roots.forEach(function (known) {
        (lexicon.byLength[known.length] = lexicon.byLength[known.length] || []).push(known);
      });
    }
    var found = root;
    outer:
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (form.length < 4) { continue; }
      for (var length = form.length - 1; length <= form.length + 1; length++) {
        var known = lexicon.byLength[length] || [];
        for (var j = 0; j < known.length; j++) {
          if (known[j][0] !== form[0] || known[j].length < 4) { continue; }
          var letters = editLetters(form, known[j]);
          if (letters !== null && (!real || VOWELS.test(letters))) {
            found = known[j];
            break outer;
          }
        }
      }
    }
    lexicon.corrected.set(word, found);
    return found;
  }

  /* A query's words, lower case and without accents (one letter is no word); a word
   * doubled the way chat writes it, with a 2 (``marah2``, ``ciri2``: ``marah-marah``,
   * ``ciri-ciri``), as the word. */
  function queryWords(query) {
    return query.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .split(/[^a-z0-9]+/).map(function (word) { return word.replace(/^([a-z]{2,})2$/, "$1"); })
      .filter(function (word) { return word.length > 1; });
  }

  /* The roots a query asks for: its words without the filler (unless nothing else is left),
   * each reduced to a known root, typing slips corrected. */
  function queryTerms(query, lexicon) {
    var words = queryWords(query);
    var kept = words.filter(function (word) { return !lexicon.stop.has(word); });
    var terms = [];
    (kept.length ? kept : words).forEach(function (word) {
      var term = correct(word, lexicon);
      if (terms.indexOf(term) < 0) { terms.push(term); }
    });
    return terms;
  }

  /* ``loaded``, once the real words are in when ``query`` holds a word a slip could be
   * corrected in (see correct). */
  function withRealWords(query) {
    return function (loaded) {
      var lexicon = loaded.lexicon;
      if (lexicon.realSet) { return loaded; }
      var unknown = queryWords(query).some(function (word) {
        return word.length >= 5 && !lexicon.stop.has(word) && !lexicon.roots.has(rootOf(word, lexicon));
      });
      if (!unknown) { return loaded; }
      return realWords(lexicon).then(function (words) {
        if (words.size) { lexicon.realSet = words; }
        return loaded;
      });
    };
  }

  /* Pages ranked for a query. No term is required: each term is searched on its own, and a
   * page scores by the terms it matches, each counting by how rare it is across the site
   * (a word on every page decides nothing) times how well the page matches it (Pagefind's
   * score, which weighs a title, a step's action or a situation above a detail paragraph),
   * relative to the best page for that term. */
  function rank(query) {
    return load().then(withRealWords(query)).then(function (loaded) {
      var terms = queryTerms(query, loaded.lexicon);
      if (!terms.length) { return {terms: terms, results: [], lexicon: loaded.lexicon}; }
      var pagefind = loaded.pagefind;
      return Promise.all(terms.map(function (term) { return pagefind.search(term); }))
        .then(function (singles) {
          var pages = Math.max.apply(null, singles.map(function (s) { return s.results.length; }));
          var byId = new Map();
          var weights = Object.create(null);  // term → rarity
          singles.forEach(function (single, index) {
            var rarity = Math.log(1 + (pages + 1) / (single.results.length + 1));
            weights[terms[index]] = rarity;
            var best = single.results.reduce(function (top, r) { return Math.max(top, r.score); }, 0);
            single.results.forEach(function (result) {
              var entry = byId.get(result.id);
              if (!entry) {
                entry = {result: result, matched: 0, score: 0};
                byId.set(result.id, entry);
              }
              entry.matched += 1;
              entry.score += rarity * (best ? result.score / best : 0);
            });
          });
          var merged = Array.from(byId.values());
          merged.sort(function (a, b) { return b.score - a.score; });
          return {terms: terms, weights: weights, results: merged, lexicon: loaded.lexicon};
        });
    });
  }

  /* The hidden root-word lists (between two marker words) are indexed but are not text a
   * person wrote: cut out of what is shown. */
  var TERMS = /sopkbtermsstart[\s\S]*?(sopkbtermsend|$)/g;

  function visible(text) {
    return text.replace(TERMS, " ").replace(/\s+/g, " ").trim();
  }

  function token(word) {
    return word.toLowerCase().replace(/[^a-z0-9-]/g, "");
  }

  /* Which query term a word of the page stands for: the word itself, or its root. */
  function termOf(word, terms, lexicon) {
    var plain = token(word);
    if (!plain) { return null; }
    if (terms.indexOf(plain) >= 0) { return plain; }
    var root = lexicon.rootOf.get(plain);
    if (root === undefined) { root = rootOf(plain, lexicon); lexicon.rootOf.set(plain, root); }
    return terms.indexOf(root) >= 0 ? root : null;
  }

  /* The section of a page that answers (the heading and the text under it that hold the
   * most of the query's terms, each counting by its rarity across the site as in the
   * ranking, a step's heading counting most; the page's top and its fixed sections, such as
   * purpose or duties, after a step), and the sentence in it that holds most of them, with
   * those words marked. Built from the page's text as Pagefind stores it, whose hidden word
   * lists carry the roots and synonyms of each heading and section. ``strength``, the share
   * of the query's words the page's best section holds, is counted without the rarities: it
   * orders the first results beside the page's rank, which has counted them already. */
  function answer(data, terms, lexicon, weights) {
    function weight(found) {
      var sum = 0;
      found.forEach(function (term) { sum += weights && term in weights ? weights[term] : 1; });
      return sum;
    }
    var words = (data.content || "").split(/\s+/);
    var headings = (data.anchors || []).filter(function (a) { return /^h[1-6]$/i.test(a.element); })
      .sort(function (a, b) { return a.location - b.location; });
    var best = null;
    var held = 0;
    headings.forEach(function (heading, index) {
      var end = index + 1 < headings.length ? headings[index + 1].location : words.length;
      var headEnd = heading.location + heading.text.split(/\s+/).length;
      var found = new Set();
      var inHeading = new Set();
      for (var at = heading.location; at < end; at++) {
        var plain = token(words[at] || "");
        if (terms.indexOf(plain) >= 0) {
          found.add(plain);
          if (at < headEnd) { inHeading.add(plain); }
        }
      }
      var place = index === 0 ? 0.3 : lexicon.sections.has(heading.id) ? 0.6 : 1;
      var score = (weight(found) * 10 + weight(inHeading) * 6) * place;
      held = Math.max(held, (found.size * 10 + inHeading.size * 6) * place);
      if (!best || score > best.score) {
        best = {heading: heading, index: index, score: score, end: end, headEnd: headEnd};
      }
    });
    var url = data.url;
    var section = "";
    var body = visible(words.join(" "));
    if (best) {
      if (best.index > 0 && best.heading.id) { url = data.url.split("#")[0] + "#" + best.heading.id; }
      section = best.index > 0 ? visible(best.heading.text) : "";
      body = visible(words.slice(best.headEnd, best.end).join(" "));
    }
    return {url: url, section: section, excerpt: sentence(body, terms, lexicon),
            strength: terms.length ? held / (terms.length * 16) : 0};
  }

  /* The sentence of ``text`` holding most of the terms (the first if none does), cut to
   * about 30 words around them, as [text, marked] pieces. */
  function sentence(text, terms, lexicon) {
    var sentences = text.split(/(?<=[.!?:;])\s+/).filter(Boolean);
    var best = null;
    sentences.forEach(function (candidate) {
      var hits = new Set();
      candidate.split(/\s+/).forEach(function (word) {
        var term = termOf(word, terms, lexicon);
        if (term) { hits.add(term); }
      });
      if (!best || hits.size > best.hits) { best = {text: candidate, hits: hits.size}; }
    });
    if (!best) { return []; }
    var shown = best.text.split(/\s+/);
    var first = shown.findIndex(function (word) { return termOf(word, terms, lexicon); });
    var from = Math.max(0, Math.min(first - 10, shown.length - 30));
    var cut = shown.slice(from, from + 30);
    var pieces = [];
    if (from > 0) { pieces.push(["… ", false]); }
    cut.forEach(function (word, i) {
      pieces.push([word, !!termOf(word, terms, lexicon)]);
      if (i < cut.length - 1) { pieces.push([" ", false]); }
    });
    if (from + 30 < shown.length) { pieces.push([" …", false]); }
    return pieces;
  }

  function excerptNodes(pieces) {
    var fragment = document.createDocumentFragment();
    pieces.forEach(function (piece) {
      if (piece[1]) {
        var mark = document.createElement("mark");
        mark.textContent = piece[0];
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(piece[0]));
      }
    });
    return fragment;
  }

  /* What a result shows and where it leads, from Pagefind's data for one page. */
  function describe(data, terms, lexicon, part) {
    var found = part || answer(data, terms, lexicon);
    var title = data.meta && data.meta.title ? visible(data.meta.title) : data.url;
    return {
      url: new URL(found.url.replace(/^\//, ""), base).href,
      title: title,
      section: found.section && found.section !== title ? found.section : "",
      excerpt: found.excerpt
    };
  }

  /* The first ``limit`` pages of a ranking, each with the section that answers. The first
   * REORDERED are put in the order of both how well the page matches the query's terms
   * (relative to the best page) and how many of them one section holds: a page whose words
   * are spread over its common sections gives way to one with a step that holds them all.
   * Returns a promise of those (``head``), with a promise for each later one (``rest``), in
   * the ranking's order: the box shows the head at once and the rest as they load. */
  function answered(ranked, limit) {
    var top = ranked.results.slice(0, limit);
    var best = top.length ? top[0].score : 0;
    var loading = top.map(function (entry) { return entry.result.data(); });
    function found(data, place) {
      var part = answer(data, ranked.terms, ranked.lexicon, ranked.weights);
      var page = best ? top[place].score / best : 0;
      return {place: place, score: page + SECTION_SHARE * part.strength,
              shown: describe(data, ranked.terms, ranked.lexicon, part)};
    }
    var head = Promise.all(loading.slice(0, REORDERED)).then(function (datas) {
      var entries = datas.map(found);
      entries.sort(function (a, b) { return b.score - a.score || a.place - b.place; });
      return entries;
    });
    var rest = loading.slice(REORDERED).map(function (data, index) {
      return data.then(function (loaded) { return found(loaded, REORDERED + index); });
    });
    return {head: head, rest: rest};
  }

  /* Every result of ``answered`` in the order shown. */
  function allAnswered(ranked, limit) {
    var parts = answered(ranked, limit);
    return Promise.all([parts.head].concat(parts.rest)).then(function (all) {
      return all[0].concat(all.slice(1));
    });
  }

  function resultItem(found) {
    var link = document.createElement("a");
    link.className = "sop-search__result";
    link.href = found.url;
    var title = document.createElement("span");
    title.className = "sop-search__title";
    title.textContent = found.title;
    link.appendChild(title);
    if (found.section) {
      var step = document.createElement("span");
      step.className = "sop-search__step";
      step.textContent = found.section;
      link.appendChild(step);
    }
    var nodes = excerptNodes(found.excerpt);
    if (nodes.textContent.trim()) {
      var excerpt = document.createElement("span");
      excerpt.className = "sop-search__excerpt";
      excerpt.appendChild(nodes);
      link.appendChild(excerpt);
    }
    return link;
  }

  /* When nothing matches: the SOPs whose title and situation share most of the query's
   * roots (suggestions.json, loaded only then), and where to ask for a missing procedure. */
  var suggestions = null;

  function closest(query) {
    if (!suggestions) {
      suggestions = fetch(new URL("assets/sop-kb/suggestions.json", base)).then(function (r) {
        if (!r.ok) { throw new Error("suggestions: HTTP " + r.status); }
        return r.json();
      }).catch(function () { suggestions = null; return {request: null, sops: []}; });
    }
    return Promise.all([suggestions, load()]).then(function (loaded) {
      var data = loaded[0];
      var lexicon = loaded[1].lexicon;
      var terms = queryTerms(query, lexicon);
      var scored = data.sops.map(function (sop) {
        var words = sop.w.split(" ");
        var shared = terms.filter(function (term) {
          return words.some(function (word) { return word === term || (term.length >= 5 && oneEditApart(term, word)); });
        }).length;
        return {sop: sop, shared: shared};
      }).filter(function (entry) { return entry.shared > 0; });
      scored.sort(function (a, b) { return b.shared - a.shared; });
      return {request: data.request, sops: scored.slice(0, 3).map(function (e) { return e.sop; })};
    });
  }

  /* The search box, an ARIA 1.2 combobox: the results are options of a listbox, the arrow
   * keys move through them, Enter opens the highlighted one (or the first) of the query as
   * typed now, never of an earlier one, Escape closes the list and keeps focus in the box,
   * and a polite live region says how many results there are. */
  function build() {
    var header = document.querySelector(".md-header__inner");
    if (!header || document.querySelector(".sop-search")) { return; }
    var box = document.createElement("div");
    box.className = "sop-search";
    box.setAttribute("role", "search");
    box.innerHTML = '<input class="sop-search__input" type="search" autocomplete="off" ' +
      'role="combobox" aria-expanded="false" aria-autocomplete="list" ' +
      'aria-controls="sop-search-list">' +
      '<div class="sop-search__results" hidden>' +
      '<div class="sop-search__list" id="sop-search-list" role="listbox"></div>' +
      '<div class="sop-search__message"></div></div>' +
      '<div class="sop-visually-hidden sop-search__status" role="status"></div>';
    var input = box.querySelector("input");
    var panel = box.querySelector(".sop-search__results");
    var list = box.querySelector(".sop-search__list");
    var message = box.querySelector(".sop-search__message");
    var status = box.querySelector(".sop-search__status");
    input.placeholder = TEXT.placeholder;
    input.setAttribute("aria-label", TEXT.label);
    list.setAttribute("aria-label", TEXT.label);
    var title = header.querySelector(".md-header__title");
    header.insertBefore(box, title ? title.nextSibling : null);

    var counter = 0;
    var active = -1;
    var shownFor = null;     // the query whose results the list shows, all loaded
    var openWhenShown = false;

    function options() { return Array.prototype.slice.call(list.querySelectorAll('[role="option"]')); }

    function open(visible) {
      panel.hidden = !visible;
      input.setAttribute("aria-expanded", visible ? "true" : "false");
      if (!visible) { highlight(-1); }
    }

    function highlight(index) {
      var all = options();
      active = all.length && index >= 0 ? (index + all.length) % all.length : -1;
      all.forEach(function (option, place) {
        option.setAttribute("aria-selected", place === active ? "true" : "false");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", all[active].id);
        if (all[active].scrollIntoView) { all[active].scrollIntoView({block: "nearest"}); }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function addOption(element) {
      element.setAttribute("role", "option");
      element.setAttribute("aria-selected", "false");
      element.id = "sop-search-option-" + options().length;
      list.appendChild(element);
    }

    function say(text) { status.textContent = text; }

    function clear() {
      list.textContent = "";
      message.textContent = "";
      highlight(-1);
    }

    function emptyState(query, ticket) {
      clear();
      var none = document.createElement("p");
      none.className = "sop-search__none";
      none.textContent = TEXT.none + " “" + query + "”";
      message.appendChild(none);
      say(TEXT.noneShort);
      closest(query).then(function (found) {
        if (ticket !== counter) { return; }
        if (found.sops.length) {
          var heading = document.createElement("p");
          heading.className = "sop-search__suggest";
          heading.textContent = TEXT.suggest;
          list.parentNode.insertBefore(heading, list);
          found.sops.forEach(function (sop) {
            var link = document.createElement("a");
            link.className = "sop-search__result sop-search__suggestion";
            link.href = new URL(sop.u, base).href;
            link.textContent = sop.t;
            addOption(link);
          });
        }
        if (found.request) {
          var request = document.createElement("a");
          request.className = "sop-search__request";
          request.href = new URL(found.request, base).href;
          request.textContent = TEXT.request;
          message.appendChild(request);
        }
      });
    }

    function run() {
      var query = input.value.trim();
      var ticket = ++counter;
      shownFor = null;
      Array.prototype.forEach.call(panel.querySelectorAll(".sop-search__suggest"), function (p) {
        p.remove();
      });
      if (!query) {
        clear(); open(false); panel.removeAttribute("aria-busy"); say("");
        return;
      }
      function unavailable() {
        if (ticket !== counter) { return; }
        clear();
        var note = document.createElement("p");
        note.className = "sop-search__none sop-search__unavailable";
        note.textContent = TEXT.unavailable;
        message.appendChild(note);
        say(TEXT.unavailable);
        panel.removeAttribute("aria-busy");
        open(true);
      }
      rank(query).then(function (ranked) {
        if (ticket !== counter) { return; }
        var results = ranked.results.slice(0, SHOWN);
        if (!results.length) {
          emptyState(query, ticket);
          panel.removeAttribute("aria-busy");
          shownFor = query;
          openWhenShown = false;
          open(true);
          return;
        }
        // The first results are shown once ordered by their answering sections, the later
        // ones each as it and those above it have loaded (see answered); the list is busy
        // until all have.
        panel.setAttribute("aria-busy", "true");
        function failed() {
          // A fragment that cannot be fetched: the index changed under the page (serve).
          engine = null;
          unavailable();
        }
        var parts = answered(ranked, SHOWN);
        var shown = parts.head.then(function (head) {
          if (ticket !== counter) { return; }
          clear();
          head.forEach(function (entry) { addOption(resultItem(entry.shown)); });
          open(true);
        });
        parts.rest.forEach(function (later) {
          shown = shown.then(function () { return later; }).then(function (entry) {
            if (entry && ticket === counter) { addOption(resultItem(entry.shown)); }
          });
        });
        shown.then(function () {
          if (ticket !== counter) { return; }
          panel.removeAttribute("aria-busy");
          shownFor = query;
          say(TEXT.count.replace("{n}", String(options().length)));
          if (openWhenShown) { openWhenShown = false; go(); }
          open(true);
        }, failed);
      }).catch(unavailable);
    }

    function go() {
      var all = options();
      var chosen = active >= 0 ? all[active] : all[0];
      if (chosen) { window.location.href = chosen.href; }
    }

    input.addEventListener("input", run);
    input.addEventListener("focus", function () {
      load().catch(function () {});
      if (input.value && panel.hidden) { run(); }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (panel.hidden && input.value.trim()) { open(true); }
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight(active < 0 && step < 0 ? options().length - 1 : active + step);
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (!input.value.trim()) { return; }
        if (shownFor === input.value.trim()) { go(); } else { openWhenShown = true; }
      } else if (event.key === "Escape") {
        if (!panel.hidden) { event.preventDefault(); }
        open(false);
      }
    });
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target)) { open(false); }
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
    idle(function () { load().catch(function () {}); });
  }

  /* For tests and the benchmark: the same ranking the box shows, as data. */
  window.sopKbSearch = {
    rank: function (query, limit) {
      return rank(query).then(function (ranked) {
        return allAnswered(ranked, limit || SHOWN).then(function (found) {
          return {terms: ranked.terms, results: found.map(function (entry) { return entry.shown; })};
        });
      });
    },
    terms: function (query) {
      return load().then(function (loaded) { return queryTerms(query, loaded.lexicon); });
    },
    rootOf: function (word) {
      return load().then(function (loaded) { return rootOf(word, loaded.lexicon); });
    },
    candidates: function (word) {
      return load().then(function (loaded) { return candidates(word, loaded.lexicon); });
    },
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
})();
