/* The device's copy of the site, for the service worker (service-worker.js, which the
 * build writes after this file): its cache and list, and how each kept file is checked.
 * The Cache API is the origin's, so on a shared origin (``org.github.io/<repo>/``) another
 * site's script can write into this copy: every kept file is checked against the hash
 * its list gives, and the list against ``BUILD.list``, before it is given or carried
 * over. A classic script, as the worker is. */
"use strict";

const SCOPE = new URL("./", self.location.href);
const PREFIX = BUILD.caches + " " + SCOPE.pathname + " ";
const CURRENT = PREFIX + BUILD.version;
const MANIFEST = new URL(BUILD.manifest, SCOPE).href;
const FETCHED = "x-sop-kb-fetched";  // a kept response's header: when it was fetched (ms)
/* Files fetched at once while installing: the agent's own requests go on beside them. */
const PARALLEL = 4;
/* How long a page's search holds the copying at most, should it never say it is done. */
const HOLD = 3000;
let manifest = null;        // this build's offline.json, once read
let known = null;           // its files, once read: a request for another is not answered
let opened = null;          // this build's cache, once opened
let behind = false;         // the site serves a newer build than this worker's
const served = new Map();   // page (client id) → its copy, when the device's copy was shown
const searching = new Map();  // page (client id) → until when its search holds the copying
/* A file's address in the site: its path under the scope, ``index.html`` dropped. */
function keyOf(url) {
  const path = url.pathname.slice(SCOPE.pathname.length);
  return path === "index.html" || path.endsWith("/index.html") ? path.slice(0, -10) : path;
}

function urlOf(key) { return new URL(key, SCOPE).href; }
function current() { return opened || (opened = caches.open(CURRENT)); }
function isEarlier(name) { return name.startsWith(PREFIX) && name !== CURRENT; }
function hashIn(given, key) { return given ? given.precache[key] || given.pages[key] : null; }

async function digest(body) {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  return Array.from(bytes.slice(0, 8), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/* ``kept`` if its body is still the file of ``hash``, else null (and it is dropped). */
async function intact(cache, key, hash, kept) {
  if (!kept) { return null; }
  const body = await kept.arrayBuffer();
  if (await digest(body) === hash) {
    return new Response(body, {status: kept.status, statusText: kept.statusText,
                               headers: kept.headers});
  }
  await cache.delete(urlOf(key));
  return null;
}

/* ``response`` (its ``body`` read) as kept: when it was fetched added, the transfer's own
 * headers dropped (the body is decoded already). */
function stamped(response, body) {
  const headers = new Headers(response.headers);
  ["content-encoding", "content-length", "transfer-encoding"].forEach((n) => headers.delete(n));
  headers.set(FETCHED, String(Date.now()));
  return new Response(body, {status: response.status, statusText: response.statusText, headers});
}

/* The site serves a newer build than this worker's: files come from the network until the
 * new worker, asked for now, takes over. */
function movedOn() {
  if (!behind) { behind = true; self.registration.update().catch(() => {}); }
}

/* ``response`` of ``key`` read whole and, if it is this build's file, kept; the response
 * to give (its body read). */
async function checked(cache, key, hash, response) {
  const body = await response.arrayBuffer();
  const copy = stamped(response, body);
  await (await digest(body) === hash ? cache.put(urlOf(key), copy.clone()) : movedOn());
  return copy;
}

async function fetchAndKeep(cache, key, hash) {
  const response = await fetch(urlOf(key), {cache: "no-cache"});
  if (response.ok) { await checked(cache, key, hash, response); }
  if (!response.ok || behind) { throw new Error(key + ": not this build's"); }
}

/* The text of this build's list, or null (another text is dropped). */
async function ownList(cache, response) {
  const body = response ? await response.arrayBuffer() : null;
  if (body && await digest(body) === BUILD.list) { return new TextDecoder().decode(body); }
  if (response) { await cache.delete(MANIFEST); }
  return null;
}

function loaded() {
  if (!manifest) {
    manifest = current().then(async (cache) => ownList(cache, await cache.match(MANIFEST)))
      .then((text) => text ? JSON.parse(text) : null)
      .then((given) => {
        if (!given) { manifest = null; }
        known = given ? Object.assign({}, given.pages, given.precache) : null;
        return given;
      });
  }
  return manifest;
}

/* Each earlier copy of this site, with the list of files it was made from. */
async function earlierCopies() {
  const names = (await caches.keys()).filter(isEarlier);
  return Promise.all(names.map(async (name) => {
    const cache = await caches.open(name);
    const kept = await cache.match(MANIFEST);
    return {cache: cache, given: kept ? await kept.json() : null};
  }));
}

/* A page says it is searching (``busy``) or has shown its results: while any page of the
 * site searches, no file of the copy is fetched (on a phone or a two-core PC, fetching
 * and checking a thousand files takes the CPU and the network a first answer needs). */
function hold(client, busy) {
  if (busy) { searching.set(client, Date.now() + HOLD); } else { searching.delete(client); }
}

async function quiet() {
  for (;;) {
    const until = Math.max(0, ...searching.values());
    if (until <= Date.now()) { searching.clear(); return; }
    await new Promise((resolve) => { setTimeout(resolve, Math.min(50, until - Date.now())); });
  }
}

function pool(keys, work) {  // PARALLEL at a time, each once no page is searching
  let next = 0;
  const worker = () => quiet().then(() => next < keys.length ? work(keys[next++]).then(worker)
                                                              : null);
  return Promise.all(Array.from({length: PARALLEL}, worker));
}
