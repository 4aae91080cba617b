/* Document control in the browser (build_tools/site/versions.py): the in-force page's date
 * field, which picks from the build's data the version of each SOP in force that day, and
 * the print date of a printed SOP (uncontrolled once printed). Texts and addresses come
 * from the page. */

/* Today as YYYY-MM-DD, in the reader's own calendar. */
export function today(now = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/* The versions in force on ``day`` (YYYY-MM-DD): for each SOP of ``data``, the period
 * holding the day (``from`` on or before it, ``until`` after it or none). */
export function inForce(data, day) {
  const found = [];
  for (const sop of data) {
    const period = sop.p.find((p) => p.from <= day && (p.until === null || day < p.until));
    if (period) {
      found.push({id: sop.id, title: period.t, version: period.v, from: period.from,
                  url: period.u});
    }
  }
  return found;
}

function cell(content, link, code = false) {
  const td = document.createElement("td");
  if (link) {
    const a = document.createElement("a");
    a.href = link;
    a.textContent = content;
    td.append(a);
  } else if (code) {
    const code = document.createElement("code");
    code.textContent = content;
    td.append(code);
  } else {
    td.textContent = content;
  }
  return td;
}

function show(form, body, found) {
  body.replaceChildren();
  if (!found.length) {
    const tr = document.createElement("tr");
    const td = cell(form.dataset.none);
    td.colSpan = 4;
    tr.append(td);
    body.append(tr);
    return;
  }
  for (const entry of found) {
    const tr = document.createElement("tr");
    const link = entry.url ? new URL(entry.url, new URL(form.dataset.base, location.href)).href
      : null;
    tr.append(cell(entry.id, null, true), cell(entry.title, link), cell(entry.version),
              cell(entry.from));
    body.append(tr);
  }
}

function inForcePage(form) {
  const body = document.querySelector(".sop-in-force__table tbody");
  let data = null;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const day = form.elements.date.value;
    if (!day) {
      return;
    }
    (data ? Promise.resolve(data) : fetch(form.dataset.inForce).then((r) => r.json()))
      .then((loaded) => {
        data = loaded;
        show(form, body, inForce(data, day));
      });
  });
}

for (const span of document.querySelectorAll("[data-print-date]")) {
  span.textContent = today();
}
const form = document.querySelector("form[data-in-force]");
if (form) {
  inForcePage(form);
}
