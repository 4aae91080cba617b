/* The elements of the list: a result (title, the step that answers, the sentence with the
 * question's words marked, the reply template), a suggested SOP, and the link that takes
 * a question the site did not answer to the SOP writers. */
import {settings, texts} from "../site.js";
import {preview} from "./reply.js";

/* The longest question put in a new issue's title and text. */
const QUESTION_LENGTH = 200;

function excerptNodes(pieces) {
  const fragment = document.createDocumentFragment();
  pieces.forEach(([text, marked]) => {
    if (marked) {
      const mark = document.createElement("mark");
      mark.textContent = text;
      fragment.appendChild(mark);
    } else {
      fragment.appendChild(document.createTextNode(text));
    }
  });
  return fragment;
}

function span(className, text) {
  const element = document.createElement("span");
  element.className = className;
  if (text !== undefined) { element.textContent = text; }
  return element;
}

/* ``found``: what results.describe gives of one page; its template shown under an id
 * made of ``id`` (the copy button beside the result is described by it). */
export function resultItem(found, id) {
  const link = document.createElement("a");
  link.className = "sop-search__result";
  link.href = found.url;
  link.appendChild(span("sop-search__title", found.title));
  if (found.section) { link.appendChild(span("sop-search__step", found.section)); }
  const nodes = excerptNodes(found.excerpt);
  if (nodes.textContent.trim()) {
    const excerpt = span("sop-search__excerpt");
    excerpt.appendChild(nodes);
    link.appendChild(excerpt);
  }
  if (found.template) { link.appendChild(preview(found.template.text, id + "-template")); }
  return link;
}

export function suggestionItem(title, href) {
  const link = document.createElement("a");
  link.className = "sop-search__result sop-search__suggestion";
  link.href = href;
  link.textContent = title;
  return link;
}

export function note(tag, className, text, href) {
  const element = document.createElement(tag);
  element.className = className;
  element.textContent = text;
  if (href) { element.href = href; }
  return element;
}

/* The new-issue form of the site's repository (the plugin's ``issue_url``) with the question
 * and the page it was asked from filled in; null when the site has none. Nothing is sent:
 * the agent reads the form, and sends it or not. */
export function askUrl(query) {
  if (!settings.issue) { return null; }
  const text = texts("search");
  const question = query.slice(0, QUESTION_LENGTH);
  const page = new URL(window.location.href);
  page.hash = "";
  page.searchParams.delete("q");
  // (A function gives the replacement: a question may hold "$&", which a string would not
  // keep as typed.)
  const title = text.ask_title.replace("{question}", () => question);
  const body = text.ask_body.replace("{question}", () => question)
    .replace("{page}", () => page.href);
  return settings.issue.replace("{title}", () => encodeURIComponent(title))
    .replace("{body}", () => encodeURIComponent(body));
}

/* The link to ``askUrl``, opening in a new tab (the agent's page, and the customer, wait). */
export function askItem(query, label) {
  const href = askUrl(query);
  if (!href) { return null; }
  const link = note("a", "sop-search__ask", label, href);
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  return link;
}
