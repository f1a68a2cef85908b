/* Lentera service worker: pages saved for offline reading are served from the cache when the
   network is gone; everything else goes to the network first. */
"use strict";
var STATIC = "lentera-statis-v1";
var PAGES = "lentera-halaman";
var OFFLINE = "/offline";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.add(OFFLINE); }));
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
