/* Lentera service worker: pages saved for offline reading are served from the cache when the
   network is gone; everything else goes to the network first. Any other page asked for
   offline gets the offline page, the start page (/) and a saved course's /lanjutkan too:
   its script (offline.js) lists the saved courses and resumes at the next unfinished one. */
"use strict";
var STATIC = "lentera-statis-v1";
var PAGES = "lentera-halaman";
var OFFLINE = "/offline";

/* The offline page and the stylesheet and scripts it links, so it works on its own. */
function saveOfflinePage() {
  return caches.open(STATIC).then(function (cache) {
    return fetch(OFFLINE, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(OFFLINE);
      return response.clone().text().then(function (html) {
        var files = html.match(/\/static\/[\w.-]+\.(css|js)/g) || [];
        return Promise.all(files.map(function (file) {
          return cache.match(file).then(function (hit) { return hit || cache.add(file); });
        })).then(function () { return cache.put(OFFLINE, response); });
      });
    });
  });
}
/* Refreshed once per start of this worker, while online (a 304 when unchanged): a new release
   of the page, its files or its language reaches phones without a new worker. */
var offlinePageFresh = false;

self.addEventListener("install", function (event) {
  event.waitUntil(saveOfflinePage());
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (url.pathname.indexOf("/static/") === 0) {
    /* Fingerprinted files never change: cache first. */
    event.respondWith(caches.open(STATIC).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
      });
    }));
    return;
  }

  if (request.mode === "navigate" || url.pathname.indexOf("/berkas/") !== -1) {
    event.respondWith(fetch(request).then(function (response) {
      if (!offlinePageFresh && request.mode === "navigate") {
        offlinePageFresh = true;
        event.waitUntil(saveOfflinePage().catch(function () { offlinePageFresh = false; }));
      }
      /* Keep saved copies fresh when the network answers. */
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) {
          cache.match(request).then(function (hit) { if (hit) cache.put(request, copy); });
        });
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreSearch: true }).then(function (hit) {
        return hit || caches.match(OFFLINE);
      });
    }));
  }
});
