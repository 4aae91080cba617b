/* The service worker: the copy of the site a device keeps, so that search and the pages
 * opened work on weak Wi-Fi and with no network. A classic script at the site's root (its
 * scope: the whole site), written there by the build after ``const BUILD = {version, list,
 * manifest, caches, timeout, fallback}``: build_tools/search/browser.py says what it keeps,
 * and how a new build replaces it. Every kept file is checked against the hash its list
 * gives, and the list against ``BUILD.list``, before it is given or carried over. With
 * BUILD.version null (mkdocs serve, ``offline: false``) it
 * removes the copies, unregisters and reloads the pages it held. */
"use strict";

const SCOPE = new URL("./", self.location.href);
const PREFIX = BUILD.caches + " " + SCOPE.pathname + " ";
const CURRENT = PREFIX + BUILD.version;
const MANIFEST = new URL(BUILD.manifest, SCOPE).href;
const FETCHED = "x-sop-kb-fetched";  // a kept response's header: when it was fetched (ms)
/* Files fetched at once while installing: the agent's own requests go on beside them. */
const PARALLEL = 4;
let manifest = null;        // this build's offline.json, once read
let known = null;           // its files, once read: a request for another is not answered
let opened = null;          // this build's cache, once opened
let behind = false;         // the site serves a newer build than this worker's
const served = new Map();   // page (client id) → its copy, when the device's copy was shown
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

/* ``kept`` if its body is still the file of ``hash``, else null (and it is dropped): the
 * Cache API is the origin's, so on a shared origin (``org.github.io/<repo>/``) another
 * site's script can write into this copy; nothing kept is given or carried over unchecked. */
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

function pool(keys, work) {  // PARALLEL at a time
  let next = 0;
  const worker = () => next < keys.length ? work(keys[next++]).then(worker) : null;
  return Promise.all(Array.from({length: PARALLEL}, worker));
}

async function install() {
  const listed = await fetch(MANIFEST + "?v=" + BUILD.version, {cache: "no-store"});
  const cache = await current();
  const text = listed.ok ? await ownList(cache, listed) : null;
  if (!text) { throw new Error("not this build's list"); }
  const given = JSON.parse(text);
  const earlier = await earlierCopies();
  const wanted = new Set(Object.keys(given.precache));
  for (const copy of earlier) {  // the pages opened before come along
    (await copy.cache.keys()).map((request) => keyOf(new URL(request.url)))
      .filter((key) => key in given.pages).forEach((key) => wanted.add(key));
  }
  await pool(Array.from(wanted), async (key) => {
    const hash = hashIn(given, key);
    if (await intact(cache, key, hash, await cache.match(urlOf(key)))) { return; }  // tried before
    for (const copy of earlier) {
      const kept = hashIn(copy.given, key) === hash &&
        await intact(copy.cache, key, hash, await copy.cache.match(urlOf(key)));
      if (kept) { await cache.put(urlOf(key), kept); return; }
    }
    await fetchAndKeep(cache, key, hash);
  });
  // The list last: a copy holding it is whole.
  await cache.put(MANIFEST, new Response(text, {headers: {"content-type": "application/json"}}));
}

async function activate() {
  const names = (await caches.keys()).filter(isEarlier);
  await Promise.all(names.map((name) => caches.delete(name)));
  if (BUILD.version) { await self.clients.claim(); return; }
  await caches.delete(CURRENT);
  await self.registration.unregister();
  const open = await self.clients.matchAll({type: "window"});
  open.forEach((client) => client.navigate(client.url).catch(() => null));
}

const late = (ms) => new Promise((resolve) => { setTimeout(() => resolve(null), ms); });
/* A page from the network, read whole and checked when one of this build's (a page of a
 * newer build must turn its own requests to the network before they are made). */
async function fromNetwork(request, key, hash, cache) {
  const response = await fetch(request);
  const ours = hash && response.ok && response.type === "basic" && !behind;
  return ours ? checked(cache, key, hash, response) : response;
}

async function page(event, key) {
  const given = await loaded();
  const hash = hashIn(given, key);
  const cache = await current();
  const network = fromNetwork(event.request, key, hash, cache);
  event.waitUntil(network.catch(() => null));
  const kept = hash ? await intact(cache, key, hash, await cache.match(urlOf(key))) : null;
  const safe = network.catch(() => null);
  const answer = await (kept ? Promise.race([safe, late(BUILD.timeout)]) : safe);
  if (answer) { return answer; }
  // No network, or none within BUILD.timeout: the copy, else the site's "not found" page.
  const shown = kept || (given ? await intact(cache, BUILD.fallback, hashIn(given, BUILD.fallback),
                                             await cache.match(urlOf(BUILD.fallback))) : null);
  if (!shown) { return network; }
  served.set(event.resultingClientId,
             {fetched: Number(shown.headers.get(FETCHED)), saved: Boolean(kept)});
  return shown;
}

async function file(event, key) {
  const hash = known ? known[key] : hashIn(await loaded(), key);
  if (!hash) { return fetch(event.request); }
  const cache = await current();
  const kept = await intact(cache, key, hash, await cache.match(urlOf(key)));
  if (kept && !behind) { return kept; }
  try {
    const response = await fetch(event.request);
    if (response.ok && response.type === "basic" && !behind) {
      event.waitUntil(checked(cache, key, hash, response.clone()).catch(() => null));
    }
    return response;
  } catch (error) {
    if (kept) { return kept; } else { throw error; }
  }
}

self.addEventListener("install", (event) => {
  self.skipWaiting();
  if (BUILD.version) { event.waitUntil(install()); }
});

self.addEventListener("activate", (event) => { event.waitUntil(activate()); });
self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (!BUILD.version || request.method !== "GET" || url.origin !== SCOPE.origin ||
      !url.pathname.startsWith(SCOPE.pathname)) { return; }
  const key = keyOf(url);
  if (request.mode === "navigate") { event.respondWith(page(event, key)); return; }
  // (Another request, a long poll of mkdocs serve's reload script say, would hold up the
  // next worker's activation while this one answers it.)
  if (!known || key in known) { event.respondWith(file(event, key)); }
});
loaded();

/* A page asks whether it is the device's copy, and of when. */
self.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "copy" || !event.source) { return; }
  const copy = served.get(event.source.id);
  event.source.postMessage({type: "copy", saved: copy ? copy.saved : null,
                            fetched: copy ? copy.fetched : null});
});
