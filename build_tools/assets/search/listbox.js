/* The panel of a search box: an ARIA 1.2 listbox of results (options: links, reached with
 * the arrow keys while the focus stays in the box), the actions of the results beside them
 * (a reply template's "Salin" button: a real button, reached with Tab, which an option may
 * not hold), a message (nothing found, where to ask) and a polite live region. */

/* Space (px) between an action and the bottom of its result. */
const ACTION_GAP = 6;

let panels = 0;

function element(tag, className) {
  const made = document.createElement(tag);
  made.className = className;
  return made;
}

/* The panel of ``input``'s results, added to ``box``; the first panel of a page keeps the
 * ids the header box has always had. */
export function listbox(box, input, label) {
  const suffix = panels ? "-" + panels : "";
  panels += 1;
  const panel = element("div", "sop-search__results");
  panel.hidden = true;
  const list = element("div", "sop-search__list");
  list.id = "sop-search-list" + suffix;
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", label);
  const actions = element("div", "sop-search__actions");
  const message = element("div", "sop-search__message");
  const status = element("div", "sop-visually-hidden sop-search__status");
  status.setAttribute("role", "status");
  panel.append(list, actions, message);
  box.append(panel, status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");

  const ui = {panel: panel, list: list, message: message, active: -1};
  ui.options = () => Array.from(list.querySelectorAll('[role="option"]'));
  ui.nextId = () => list.id.replace("-list", "-option") + "-" + ui.options().length;
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
  /* Each action stands in room kept for it at the bottom of its result: the result's
   * padding is the action's height, the action placed over it (styles set through the
   * object model: the site's policy allows no style attribute). Placed once a frame,
   * however many results were added in it, every size read before any is set: reading a
   * size after a change lays the whole page out again (on a home page listing a thousand
   * SOPs, most of a query's time when done at each result added). */
  let placing = false;
  const place = () => {
    placing = false;
    if (panel.hidden) { return; }
    const placed = Array.from(actions.children);
    const heights = placed.map((action) => action.offsetHeight);
    placed.forEach((action, at) => {
      action.result.style.paddingBottom = (heights[at] + 2 * ACTION_GAP) + "px";
    });
    const tops = placed.map((action, at) => action.result.offsetTop +
      action.result.offsetHeight - heights[at] - ACTION_GAP);
    placed.forEach((action, at) => { action.style.top = tops[at] + "px"; });
  };
  ui.layout = () => {
    if (!placing) {
      placing = true;
      window.requestAnimationFrame(place);
    }
  };
  ui.open = (visible) => {
    panel.hidden = !visible;
    input.setAttribute("aria-expanded", visible ? "true" : "false");
    if (!visible) { ui.highlight(-1); } else { ui.layout(); }
  };
  /* ``action``: an element to stand beside the result (or nothing). */
  ui.add = (result, action) => {
    result.setAttribute("role", "option");
    result.setAttribute("aria-selected", "false");
    result.tabIndex = -1;
    result.id = ui.nextId();
    list.appendChild(result);
    if (action) {
      action.result = result;
      action.classList.add("sop-search__action");
      actions.appendChild(action);
    }
    ui.layout();
  };
  ui.say = (text) => { status.textContent = text; };
  ui.clear = () => {
    list.textContent = "";
    actions.textContent = "";
    message.textContent = "";
    ui.highlight(-1);
  };
  // A narrower panel wraps its results anew (a phone turned, the page zoomed).
  let width = 0;
  if (window.ResizeObserver) {
    new ResizeObserver(() => {
      if (list.clientWidth !== width) { width = list.clientWidth; ui.layout(); }
    }).observe(list);
  }
  return ui;
}
