/* The elements of the list: a result (title, the step that answers, the sentence with the
 * question's words marked, the reply template) and a suggested SOP. */
import {preview} from "./reply.js";

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

