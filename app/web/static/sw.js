/* Lentera service worker: pages saved for offline reading are served from the cache when the
   network is gone; everything else goes to the network first. Any other page asked for
   offline gets the offline page: the start page (/) and the catalogue too, where the page's
   script lists the saved courses, and a saved course's "Lanjutkan belajar" (/lanjutkan,
   never saved: where it leads changes with every mark), which the script sends on to the
   next unfinished saved module. */
"use strict";
var STATIC = "lentera-statis-v1";
var PAGES = "lentera-halaman";
var OFFLINE = "/offline";

self.addEventListener("install", function (event) {
  /* The offline page and the stylesheet and script it links, so it works on its own. */
  event.waitUntil(caches.open(STATIC).then(function (cache) {
    return fetch(OFFLINE, { credentials: "same-origin" }).then(function (response) {
      return response.clone().text().then(function (html) {
        var files = html.match(/\/static\/[\w.-]+\.(css|js)/g) || [];
        return Promise.all([cache.put(OFFLINE, response)].concat(files.map(function (file) {
          return cache.add(file).catch(function () {});
        })));
      });
    });
  }));
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
