/* The forms of a typed word the box tries, affixes taken off by the lexicon's rules
 * (build_tools/search/language.py, which applies them alike at build time: a test holds
 * both to the same forms), and the first of them that is a root the site knows. */

/* The affix rules of lexicon.json's ``language``, compiled once. */
export function affixRules(rules) {
  return {
    suffixes: rules.suffixes.map((pattern) => new RegExp(pattern)),
    endings: rules.endings,
    spellings: rules.spellings,
    prefixes: rules.prefixes.map((rule) => [new RegExp(rule[0]), rule[1]]),
    rounds: rules.prefixRounds,
    shortestForm: rules.shortestForm,
    shortestRespelled: rules.shortestRespelled
  };
}

/* ``word`` and the forms its suffix groups, its endings (each on its own too) and the
 * informal spellings of its end give. */
function withoutSuffixes(word, affixes) {
  const forms = [word];
  let current = word;
  affixes.suffixes.forEach((suffix) => {
    const next = current.replace(suffix, "");
    if (next !== current && next.length >= affixes.shortestForm) {
      forms.push(next);
      current = next;
    }
  });
  forms.slice().forEach((form) => {
    affixes.endings.forEach((end) => {
      if (form.length - end.length >= affixes.shortestForm && form.endsWith(end)) {
        forms.push(form.slice(0, -end.length));
      }
    });
  });
  forms.slice().forEach((form) => {           // sampe: sampai, kalo: kalau
    affixes.spellings.forEach(([end, written]) => {
      if (form.length >= affixes.shortestRespelled && form.endsWith(end)) {
        forms.push(form.slice(0, -end.length) + written);
      }
    });
  });
  return forms;
}

/* Every form of ``word``, in the order tried: suffixes taken off, then prefixes, round
 * after round. */
export function candidates(word, affixes) {
  const seen = [word];
  let level = [word];
  for (let round = 0; round < affixes.rounds; round++) {
    const next = [];
    level.forEach((form) => {
      withoutSuffixes(form, affixes).forEach((stripped) => {
        if (!seen.includes(stripped)) { seen.push(stripped); }
        affixes.prefixes.forEach(([pattern, forms]) => {
          if (pattern.test(stripped)) {
            forms.forEach((to) => { next.push(stripped.replace(pattern, to)); });
          }
        });
      });
    });
    next.forEach((form) => { if (!seen.includes(form)) { seen.push(form); } });
    level = next;
  }
  return seen;
}

/* The first form of ``word`` that is a root the site knows, else the word. */
export function rootOf(word, lexicon) {
  if (lexicon.roots.has(word)) { return word; }
  return candidates(word, lexicon.affixes).find((form) => lexicon.roots.has(form)) || word;
}
