// gridcare's Service Worker, version {{ version }}: the day's list, the households on it
// and their forms open from the phone's cache when there is no network. Writes never go
// through here: the page's outbox keeps and sends them.
"use strict";
var STATIC = "gridcare-static-{{ version }}";
var PAGES = "gridcare-pages";
var PRECACHE = {{ static|tojson }};
var OFFLINE_TEXT = {{ offline_text|tojson }};
var TODAY = {{ today|tojson }};
// The only pages kept: never the registry (ID numbers live there), never reports.
var KEPT = [
  /^\/visits\/today$/, /^\/visits\/outbox$/, /^\/visits\/household\/\d+$/,
  /^\/visits\/household\/\d+\/log$/, /^\/hazards\/household\/\d+\/new$/,
  /^\/hazards\/\d+$/, /^\/hazards\/mine$/
];
var NETWORK_WAIT = 6000;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(PRECACHE); })
    .then(function () { return self.skipWaiting(); }));
});

// A new deploy takes over at once, and drops what the old one kept: pages kept by the
// old version name static files that are gone, so they are fetched again. (On a first
// install there is nothing to drop: the day's list may already be filling the pages.)
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    var old = names.filter(function (name) { return name.indexOf("gridcare-static-") === 0 && name !== STATIC; });
    if (old.length) old.push(PAGES);
    return Promise.all(old.map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(url) {
  return url.origin === self.location.origin && KEPT.some(function (re) { return re.test(url.pathname); });
}

// One copy per page: the day's list whatever its position, a form per task (a household
// may have an urgent and a routine visit of one kind open at once).
function keyOf(url) {
  var kind = url.searchParams.get("kind"), visit = url.searchParams.get("visit");
  return url.origin + url.pathname + (kind ? "?kind=" + kind : "") + (visit ? "&visit=" + visit : "");
}

function remember(request, response) {
  // A login page after a redirect is not the page asked for: never kept in its place.
  if (!response.ok || response.redirected || response.type !== "basic") return response;
  var copy = response.clone();
  caches.open(PAGES).then(function (cache) { cache.put(keyOf(new URL(request.url)), copy); });
  return response;
}

function fromCache(request) {
  return caches.open(PAGES).then(function (cache) { return cache.match(keyOf(new URL(request.url))); })
    .then(function (response) {
      if (!response) return offlinePage();
      // The page says it came from the phone, with the time it was fetched.
      return response.text().then(function (html) {
        return new Response(html.replace('data-served="network"', 'data-served="cache"'), {
          headers: { "Content-Type": "text/html; charset=utf-8" }
        });
      });
    });
}

function offlinePage() {
  var html = '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
    '<p>' + OFFLINE_TEXT + '</p><p><a href="' + TODAY + '">' + TODAY + '</a></p>';
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function networkFirst(request) {
  return new Promise(function (resolve) {
    var settled = false;
    var timer = setTimeout(function () { settled = true; resolve(fromCache(request)); }, NETWORK_WAIT);
    fetch(request).then(function (response) {
      clearTimeout(timer);
      if (!settled) resolve(remember(request, response));
    }, function () {
      clearTimeout(timer);
      if (!settled) resolve(fromCache(request));
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0 && url.searchParams.has("v")) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(STATIC).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  if (request.mode === "navigate" && kept(url)) event.respondWith(networkFirst(request));
});

// The day's list names its households and forms: kept now, while there is a network.
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep) || [];
  var fresh = (event.data && event.data.fresh) || 0;  // the first ones: fetched again
  event.waitUntil(caches.open(PAGES).then(function (cache) {
    return urls.reduce(function (chain, href, index) {
      var url = new URL(href, self.location.origin);
      if (!kept(url)) return chain;
      return chain.then(function () {
        return cache.match(keyOf(url)).then(function (hit) {
          if (hit && index >= fresh) return null;
          return fetch(url.href, { credentials: "same-origin", headers: { "X-Gridcare-Keep": "1" } })
            .then(function (response) {
              if (response.status === 401) throw new Error("session ended");  // stop here
              if (response.ok && !response.redirected) return cache.put(keyOf(url), response);
            }, function () {});
        });
      });
    }, Promise.resolve()).catch(function () {});
  }));
});
