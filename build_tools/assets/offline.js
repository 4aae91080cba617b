/* Offline, on the page's side: the site's service worker (service-worker.js at the site's
 * root, see build_tools/search/browser.py) is registered once the page is idle and no
 * search is under way, and told when a search starts and ends, so that copying the site
 * never stands between an agent and an answer (it waits meanwhile); a notice says when
 * the page shown is the copy kept on this device, and since when, and when a new copy of
 * the site has taken over an open page. Where the build gives no worker (mkdocs serve,
 * the plugin's ``offline: false``), a worker an earlier visit left is removed, with its
 * copies, and the page loaded again from the network: no kept copy stands for pages being
 * edited. */
import {SEARCHING, root, settings, siteUrl, texts} from "./site.js";

const NOTICE = "sop-offline";
/* How long a search under way may put off registering the worker, at most (ms). */
const PUT_OFF = 5000;

/* When the page was fetched, as the reader's clock says it in the site's time zone. */
function when(ms) {
  const lang = document.documentElement.lang || settings.language;
  const time = document.createElement("time");
  time.dateTime = new Date(ms).toISOString();
  try {
    time.textContent = new Intl.DateTimeFormat(lang, {dateStyle: "medium", timeStyle: "short",
                                                       timeZone: settings.timeZone})
      .format(new Date(ms));
  } catch (error) {
    time.textContent = new Date(ms).toLocaleString();
  }
  return time;
}

/* The notice at the top of the page: ``text`` with ``{date}`` standing for ``ms``, and a
 * button to load the page again if ``reload``. */
function notice(kind, text, ms, reload) {
  let box = document.getElementById(NOTICE);
  if (!box) {
    box = document.createElement("div");
    box.id = NOTICE;
    box.className = NOTICE;
    box.setAttribute("role", "status");
    const main = document.querySelector(".md-content__inner") || document.body;
    main.insertBefore(box, main.firstChild);
  }
  box.textContent = "";
  box.setAttribute("data-kind", kind);
  const [before, after] = text.split("{date}");
  box.appendChild(document.createTextNode(before));
  if (after !== undefined) {
    box.appendChild(when(ms));
    box.appendChild(document.createTextNode(after));
  }
  if (reload) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sop-offline__reload";
    button.textContent = texts("offline").reload;
    button.addEventListener("click", () => window.location.reload());
    box.appendChild(document.createTextNode(" "));
    box.appendChild(button);
  }
}

function hide(kind) {
  const box = document.getElementById(NOTICE);
  if (box && box.getAttribute("data-kind") === kind) { box.remove(); }
}

/* No worker for this site: remove one an earlier visit left (its copies too), then load
 * the page again from the network if that worker had served it. */
function remove(workers) {
  const scope = new URL(root).href;
  const ours = settings.offline.caches + " " + new URL(root).pathname + " ";
  const copies = window.caches ? caches.keys().then((names) => Promise.all(names
    .filter((name) => name.startsWith(ours)).map((name) => caches.delete(name))))
    : Promise.resolve();
  workers.getRegistrations().then((found) => Promise.all(found
    .filter((registration) => registration.scope === scope)
    .map((registration) => registration.unregister())))
    .then(() => copies)
    .then(() => { if (workers.controller) { window.location.reload(); } })
    .catch(() => {});
}

function start() {
  const workers = navigator.serviceWorker;
  if (!workers) { return; }
  const given = settings.offline;
  if (!given || !given.worker) { remove(workers); return; }
  const text = texts("offline");
  let fetched = performance.timeOrigin;     // when this page was loaded, unless a copy
  workers.addEventListener("message", (event) => {
    const copy = event.data;
    if (!copy || copy.type !== "copy" || copy.saved === null) { return; }
    fetched = copy.fetched || fetched;
    notice("copy", copy.saved ? text.saved : text.unsaved, fetched, false);
  });
  if (workers.controller) { workers.controller.postMessage({type: "copy"}); }
  const controlled = Boolean(workers.controller);
  workers.addEventListener("controllerchange", () => {
    if (controlled) { notice("updated", text.updated, fetched, true); }
  });
  window.addEventListener("offline", () => notice("lost", text.lost, fetched, false));
  window.addEventListener("online", () => hide("lost"));
  const busy = new Set();    // the page's search boxes with a query under way
  let registered = null;
  let waiting = null;       // registering, once no search is under way
  const tell = () => {   // the worker installing is the one copying
    if (registered && registered.installing) {
      registered.installing.postMessage({type: "searching", busy: busy.size > 0});
    }
  };
  document.addEventListener(SEARCHING, (event) => {
    if (event.detail) { busy.add(event.target); } else { busy.delete(event.target); }
    tell();
    if (!busy.size && waiting) { waiting(); }
  });
  const register = () => {
    // A reader who asked to save data does not get a copy of the site (megabytes) unasked.
    if (navigator.connection && navigator.connection.saveData && !workers.controller) { return; }
    workers.register(siteUrl(given.worker).href, {scope: new URL(root).pathname,
                                                  updateViaCache: "none"})
      .then((registration) => {
        registered = registration;
        registration.addEventListener("updatefound", tell);
        tell();
      }).catch(() => {});
  };
  const whenQuiet = () => {
    if (!busy.size) { register(); return; }
    const timer = setTimeout(() => { waiting(); }, PUT_OFF);
    waiting = () => { waiting = null; clearTimeout(timer); register(); };
  };
  const idle = window.requestIdleCallback || ((callback) => setTimeout(callback, 200));
  if (document.readyState === "complete") { idle(whenQuiet); } else {
    window.addEventListener("load", () => idle(whenQuiet));
  }
}

start();
