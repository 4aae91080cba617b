/* How text splits into words: one definition (build_tools/model/words.py), given by the
 * lexicon's language rules, for a question, for the words of a result and, at build time,
 * for the index. Lower case, accents dropped, runs of letters and digits (a hyphen
 * splits), a word doubled with a 2 (``marah2``) read as the word. */

/* The patterns of ``rules`` (lexicon.json's ``language``), compiled once. */
export function tokenizer(rules) {
  return {
    word: new RegExp(rules.word, "g"),
    accent: new RegExp(rules.accent, "g"),
    doubled: new RegExp(rules.doubled),
    shortest: rules.shortestQueryWord
  };
}

const ASCII = /^[\x00-\x7f]*$/;  // no accent to take off (NFKD leaves such text as it is)

export function words(text, tokens) {
  let plain = text.toLowerCase();
  if (!ASCII.test(plain)) { plain = plain.normalize("NFKD").replace(tokens.accent, ""); }
  return (plain.match(tokens.word) || []).map((word) => word.replace(tokens.doubled, "$1"));
}

/* A question's words: one letter is no word. */
export function queryWords(query, tokens) {
  return words(query, tokens).filter((word) => word.length >= tokens.shortest);
}
