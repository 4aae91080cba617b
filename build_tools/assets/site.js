/* The settings the build gives the scripts (settings.js, written by
 * build_tools/search/browser.py): the texts in the page's language and the addresses of
 * the site's files. */
import settings, {root} from "./settings.js";

export {settings};

/* The texts of one script (``search``, ``stepLink``) in the page's language, else in the
 * site's default language. */
export function texts(part) {
  const lang = (document.documentElement.lang || settings.language).slice(0, 2);
  return (settings.texts[lang] || settings.texts[settings.language])[part];
}

/* The URL of one of the site's files, from its address in the site
 * (``settings.uris``: ``lexicon``, ``pagefind``...). */
export function siteUrl(uri) {
  return new URL(uri, root);
}

export {root};

/* The event a search box sends (bubbling) when it starts a query (``detail`` true) and when
 * it has shown that query's answer (false): offline.js holds the device's copying meanwhile. */
export const SEARCHING = "sop-search-busy";
