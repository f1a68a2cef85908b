/* Lentera: progressive enhancement only. Every flow works without this file.
   - "Tandai selesai" keeps working offline: the completion is queued and sent to /sinkron
     when the connection returns (each event has its own id, so re-sending is harmless).
   - "Simpan untuk dibaca offline" stores a course's pages and images in the Cache API.
   - A small status line shows what is waiting to be synced.
   - Study time: the server measures time on a module between serving the page and the mark.
     Offline it cannot, so the page counts the seconds it was visible while offline and sends
     them with a queued mark (the server clamps them). A mark refused as too early, online or
     after a sync, is shown with the time left; the learner marks again later. */
(function () {
  "use strict";
  var QUEUE = "lentera-antrean";
  var SAVED = "lentera-tersimpan";
  var PAGES = "lentera-halaman";
  var READ = "lentera-waktu-baca";  /* "COURSE/module" -> seconds read offline, not yet sent */
  var NOTICES = "lentera-pesan";    /* "COURSE/module" -> message about a refused offline mark */
  var meta = document.querySelector('meta[name="csrf-token"]');
  var status = document.getElementById("sync-status");

  function read(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function write(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function showStatus() {
    if (!status) return;
    var waiting = read(QUEUE, []).length;
    var notices = read(NOTICES, {});
    /* A refused offline mark is said first: the learner has to mark it again later. */
    var text = Object.keys(notices).map(function (k) { return notices[k]; }).join(" ");
    if (!text && waiting) text = status.getAttribute("data-waiting").replace("{n}", waiting);
    else if (!text && !navigator.onLine) text = status.getAttribute("data-offline");
    status.textContent = text;
    status.hidden = !text;
  }

  function sync() {
    var queue = read(QUEUE, []);
    if (!queue.length || !navigator.onLine || !meta) return Promise.resolve();
    return fetch("/sinkron", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta.content },
      body: JSON.stringify({ events: queue })
    }).then(function (response) {
      if (!response.ok) return; /* e.g. logged out: keep the queue for later */
      return response.json().then(function (result) {
        var settled = {};
        var tooEarly = result.too_early || {};
        var notices = read(NOTICES, {});
        read(QUEUE, []).forEach(function (e) {
          if (tooEarly[e.id]) notices[e.course + "/" + e.module] = tooEarly[e.id];
        });
        write(NOTICES, notices);
        result.applied.concat(result.duplicates, Object.keys(result.rejected), Object.keys(tooEarly))
          .forEach(function (id) { settled[id] = true; });
        write(QUEUE, read(QUEUE, []).filter(function (e) { return !settled[e.id]; }));
      });
    }).catch(function () { /* still offline: try again later */ }).then(showStatus);
  }

  /* Visible time on this module page, and what was read offline before, per module. */
  var markForm = document.querySelector("form[data-offline-complete]");
  var visibleSince = document.visibilityState === "visible" ? Date.now() : null;
  var visibleMs = 0;
  function pageKey(form) { return form.getAttribute("data-course") + "/" + form.getAttribute("data-module"); }
  function takeVisible() {
    if (visibleSince !== null) { visibleMs += Date.now() - visibleSince; visibleSince = Date.now(); }
    var ms = visibleMs;
    visibleMs = 0;
    return Math.round(ms / 1000);
  }
  function keepOfflineTime() {
    /* Online the server measures the visit; only reading offline needs remembering. */
    if (!markForm || navigator.onLine) { takeVisible(); return; }
    var times = read(READ, {});
    times[pageKey(markForm)] = (times[pageKey(markForm)] || 0) + takeVisible();
    write(READ, times);
  }
  if (markForm) {
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { keepOfflineTime(); visibleSince = null; }
      else visibleSince = Date.now();
    });
    window.addEventListener("pagehide", keepOfflineTime);
    var notices = read(NOTICES, {});
    var notice = notices[pageKey(markForm)];
    if (notice) {
      showMarkMessage(markForm, notice);
      delete notices[pageKey(markForm)];
      write(NOTICES, notices);
    }
  }

  function showMarkMessage(form, text) {
    var old = form.parentNode.querySelector("[data-mark-message]");
    if (old) old.remove();
    var box = document.createElement("div");
    box.className = "alert error";
    box.setAttribute("role", "alert");
    box.setAttribute("data-mark-message", "");
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    form.parentNode.insertBefore(box, form);
  }

  function queueCompletion(form) {
    var queue = read(QUEUE, []);
    var times = read(READ, {});
    var seconds = (times[pageKey(form)] || 0) + takeVisible();
    delete times[pageKey(form)];
    write(READ, times);
    queue.push({
      id: newId(),
      course: form.getAttribute("data-course"),
      module: form.getAttribute("data-module"),
      kind: "completed",
      occurred_at: new Date().toISOString(),
      seconds: seconds
    });
    write(QUEUE, queue);
    var note = document.createElement("p");
    note.className = "done";
    note.textContent = form.getAttribute("data-queued");
    form.replaceWith(note);
    showStatus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-offline-complete")) return;
    event.preventDefault();
    /* Try the normal request first; only a failed network queues the completion. */
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (response.ok || response.redirected) { window.location.assign(response.url); return; }
        if (response.status !== 409) { form.submit(); return; }
        /* Refused (too early): show the server's message in place, nothing else changed. */
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var message = page.querySelector("[data-mark-message]");
          if (message) showMarkMessage(form, message.textContent.trim());
          else form.submit();
        });
      })
      .catch(function () { queueCompletion(form); });
  });

  function markSaved(button) {
    button.textContent = button.getAttribute("data-saved");
    button.disabled = true;
  }

  function saveCourse(button) {
    button.disabled = true;
    button.textContent = button.getAttribute("data-saving");
    fetch(button.getAttribute("data-manifest"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (manifest) {
        return caches.open(PAGES).then(function (cache) {
          /* The header tells the server this is saving, not reading (no "opened" mark). */
          return Promise.all(manifest.urls.map(function (url) {
            return fetch(url, { credentials: "same-origin", headers: { "X-Lentera-Offline": "1" } })
              .then(function (response) {
                if (!response.ok) throw new Error(url);
                return cache.put(url, response);
              });
          })).then(function () {
            var saved = read(SAVED, {});
            saved[manifest.course] = manifest.version;
            write(SAVED, saved);
            markSaved(button);
          });
        });
      })
      .catch(function () {
        button.disabled = false;
        button.textContent = button.getAttribute("data-failed");
      });
  }

  document.querySelectorAll("[data-save-offline]").forEach(function (button) {
    if (!("caches" in window) || !("serviceWorker" in navigator)) return;
    button.hidden = false;
    if (read(SAVED, {})[button.getAttribute("data-course")]) markSaved(button);
    button.addEventListener("click", function () { saveCourse(button); });
  });

  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    /* Saved pages belong to this learner: forget them on logout. */
    form.addEventListener("submit", function () {
      if ("caches" in window) caches.delete(PAGES);
      localStorage.removeItem(SAVED);
    });
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }
  window.addEventListener("online", function () { sync(); showStatus(); });
  window.addEventListener("offline", showStatus);
  showStatus();
  sync();
})();
