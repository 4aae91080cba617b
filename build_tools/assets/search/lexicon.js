/* The lexicon the box reads questions with (lexicon.json, written at build time by
 * build_tools/search/index.py): the site's roots, its language rules compiled, and the real
 * words it must not correct (words.json), loaded when first needed. */
import {affixRules} from "./forms.js";
import {tokenizer} from "./words.js";

export function compile(data) {
  const rules = data.language;
  return {
    roots: new Set(data.roots),
    sections: new Set(data.sections),
    indexes: data.indexes || [],
    stop: new Set(rules.stopwords),
    filler: {endings: rules.fillerEndings, shortestStem: rules.shortestFillerStem},
    abbreviations: new Map(Object.entries(rules.abbreviations)),
    tokens: tokenizer(rules),
    affixes: affixRules(rules),
    correction: {
      shortestWord: rules.shortestCorrectedWord,
      shortestRoot: rules.shortestCorrectedRoot,
      never: new RegExp(rules.neverCorrected),
      vowels: new RegExp("^[" + rules.vowels + "]+$")
    },
    byLength: null,       // the roots by length, on the first correction
    pieces: new Map(),    // the words of a result's pieces of text, each split once
    rootOf: new Map(),    // a result's words, each reduced once
    corrected: new Map(),
    real: null,           // words.json, loading or loaded (realWords)
    realSet: null         // its words, once loaded
  };
}

/* Real words one slip from a root the site knows (``kemarin`` beside ``kemas``): a word of
 * the question that is one of them, or an affixed form of one, is kept as typed, not
 * corrected. Loaded once; a failed load is tried again with the next question. */
export function realWords(lexicon, url) {
  if (!lexicon.real) {
    lexicon.real = fetch(url).then((response) => {
      if (!response.ok) { throw new Error("words: HTTP " + response.status); }
      return response.json();
    }).then((words) => new Set(words), () => {
      lexicon.real = null;
      return new Set();
    });
  }
  return lexicon.real.then((words) => {
    if (words.size) { lexicon.realSet = words; }
    return lexicon;
  });
}
