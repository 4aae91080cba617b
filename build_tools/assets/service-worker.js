/* The service worker: the copy of the site a device keeps, so that search and the pages
 * opened work on weak Wi-Fi and with no network. A classic script at the site's root (its
 * scope: the whole site), written there by the build after ``const BUILD = {version, list,
 * manifest, caches, timeout, fallback}``: build_tools/search/browser.py says what it keeps,
 * and how a new build replaces it; service-worker-copy.js, before this file, keeps and
 * checks the copy. With BUILD.version null (mkdocs serve, ``offline: false``) it removes
 * the copies, unregisters and reloads the pages it held. */

async function install() {
  await quiet();
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

/* A page asks whether it is the device's copy, and of when; or says it is searching. */
self.addEventListener("message", (event) => {
  if (!event.data || !event.source) { return; }
  if (event.data.type === "searching") { hold(event.source.id, Boolean(event.data.busy)); }
  if (event.data.type !== "copy") { return; }
  const copy = served.get(event.source.id);
  event.source.postMessage({type: "copy", saved: copy ? copy.saved : null,
                            fetched: copy ? copy.fetched : null});
});
