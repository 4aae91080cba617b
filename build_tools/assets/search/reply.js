/* A reply template in a result: shown with its [blanks] marked, and copied whole by a
 * "Salin" button beside the result, which then says which blanks to fill in. The pattern
 * of a blank is the build's (build_tools/render/markup.py marks them on the pages). */
import {settings, texts} from "../site.js";

function blanks() { return new RegExp(settings.placeholder, "g"); }

/* The blanks of ``text``, each once, in order. */
export function placeholders(text) {
  return Array.from(new Set(text.match(blanks()) || []));
}

/* ``text`` as [piece, isBlank] pieces. */
export function pieces(text) {
  const found = [];
  let at = 0;
  for (const match of text.matchAll(blanks())) {
    if (match.index > at) { found.push([text.slice(at, match.index), false]); }
    found.push([match[0], true]);
    at = match.index + match[0].length;
  }
  if (at < text.length) { found.push([text.slice(at), false]); }
  return found;
}

/* The template as a result shows it. Hidden from the result's name (which the arrow keys
 * read out): the copy button is described by it instead. */
export function preview(text, id) {
  const block = document.createElement("span");
  block.className = "sop-search__template";
  block.id = id;
  block.setAttribute("aria-hidden", "true");
  pieces(text).forEach(([piece, blank]) => {
    if (!blank) { block.appendChild(document.createTextNode(piece)); return; }
    const mark = document.createElement("span");
    mark.className = "sop-placeholder";
    mark.textContent = piece;
    block.appendChild(mark);
  });
  return block;
}

function copy(text) {
  if (navigator.clipboard && navigator.clipboard.writeText) {
    return navigator.clipboard.writeText(text);
  }
  return Promise.reject(new Error("no clipboard"));
}

/* The copy action of ``template`` ({text, step}): a button whose name starts with the word
 * it shows (WCAG 2.5.3) and names the step, described by the template (``previewId``); once
 * copied, what is left to fill in, shown beside it and told to ``say`` (the live region),
 * then ``changed`` (the action grew). */
export function copyAction(template, previewId, say, changed) {
  const text = texts("search");
  const action = document.createElement("div");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "sop-search__copy";
  button.textContent = text.copy;
  button.setAttribute("aria-label", text.copy_label.replace("{step}", () => template.step));
  button.setAttribute("aria-describedby", previewId);
  const note = document.createElement("span");
  note.className = "sop-search__copied";
  action.append(button, note);
  const tell = (what) => {
    note.textContent = what;
    say(what);
    changed();
  };
  button.addEventListener("click", () => {
    const left = placeholders(template.text);
    const done = left.length ? text.copied.replace("{placeholders}", () => left.join(", "))
      : text.copied_plain;
    copy(template.text).then(() => tell(done), () => tell(text.copy_failed));
  });
  return action;
}
