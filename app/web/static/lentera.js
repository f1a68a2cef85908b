/* Lentera: progressive enhancement only; every flow works without this file. Offline reading
   (README, "Offline"): saving a course, queueing marks for /sinkron with the time read
   offline, showing marks made since on saved pages (offline.js: the offline page). */
(function () {
  "use strict";
  var QUEUE = "lentera-antrean";
  var SAVED = "lentera-tersimpan";  /* course -> {v, title, modules: [[slug, title]], done: [slug]} */
  var PAGES = "lentera-halaman";
  var READ = "lentera-waktu-baca";  /* "COURSE/module" -> seconds read offline, not yet sent */
  var NOTICES = "lentera-pesan";    /* "COURSE/module" -> message about a refused offline mark */
  var meta = document.querySelector('meta[name="csrf-token"]');
  /* The queue lives in the phone, not in the login: on a shared phone each mark stays with the
     person who made it, and is sent only while they are logged in (never under someone else). */
  var me = meta ? attr(meta, "user") : null;
  function mine(e) { return !e.user || e.user === me; }
  var status = document.getElementById("sync-status");

  function read(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function write(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function attr(node, name) { return node.getAttribute("data-" + name); }
  function el(tag, text, href, css) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (href) node.href = href;
    if (css) node.className = css;
    return node;
  }
  function fill(text, done, total) { return text.replace("{done}", done).replace("{total}", total); }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function showStatus() {
    if (!status) return;
    var waiting = read(QUEUE, []).filter(mine).length;
    var notices = read(NOTICES, {});
    var text = Object.keys(notices).map(function (k) { return notices[k]; }).join(" ");
    if (!text && waiting) text = attr(status, "waiting").replace("{n}", waiting);
    else if (!text && !navigator.onLine) text = attr(status, "offline");
    status.textContent = text;
    status.hidden = !text;
  }

  function sync() {
    var queue = read(QUEUE, []).filter(mine);
    if (!queue.length || !navigator.onLine || !meta) return Promise.resolve();
    return fetch("/sinkron", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta.content },
      body: JSON.stringify({ events: queue })
    }).then(function (response) {
      if (!response.ok) return; /* e.g. logged out: keep the queue for later */
      return response.json().then(function (result) {
        var done = {};
        var settled = {};
        var tooEarly = result.too_early || {};
        var notices = read(NOTICES, {});
        result.applied.concat(result.duplicates).forEach(function (id) { done[id] = settled[id] = 1; });
        Object.keys(result.rejected).concat(Object.keys(tooEarly)).forEach(function (id) { settled[id] = 1; });
        read(QUEUE, []).forEach(function (e) {
          if (tooEarly[e.id]) notices[e.course + "/" + e.module] = tooEarly[e.id];
          if (done[e.id]) remember(e.course, [e.module]);
        });
        write(NOTICES, notices);
        write(QUEUE, read(QUEUE, []).filter(function (e) { return !settled[e.id]; }));
      });
    }).catch(function () { /* still offline: try again later */ }).then(showStatus);
  }

  /* Modules known complete: said by the server (saving, pages, syncs) or queued ("q"). */
  function known(course) {
    var done = {};
    var entry = read(SAVED, {})[course];
    ((entry && entry.done) || []).forEach(function (slug) { done[slug] = 1; });
    read(QUEUE, []).forEach(function (e) { if (e.course === course && mine(e)) done[e.module] = "q"; });
    return done;
  }
  function remember(course, slugs) {
    var saved = read(SAVED, {});
    var entry = saved[course];
    if (!entry || !entry.done) return;
    slugs.forEach(function (slug) { if (slug && entry.done.indexOf(slug) < 0) entry.done.push(slug); });
    write(SAVED, saved);
  }

  /* Visible time on this module page, and what was read offline before, per module. */
  var markForm = document.querySelector("form[data-offline-complete]");
  var visibleSince = document.visibilityState === "visible" ? Date.now() : null;
  var visibleMs = 0;
  function pageKey(form) { return attr(form, "course") + "/" + attr(form, "module"); }
  function takeVisible() {
    if (visibleSince !== null) { visibleMs += Date.now() - visibleSince; visibleSince = Date.now(); }
    var ms = visibleMs;
    visibleMs = 0;
    return Math.round(ms / 1000);
  }
  function keepOfflineTime() {
    /* Online the server measures the visit. */
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
    var box = el("div", "", "", "alert error");
    box.setAttribute("role", "alert");
    box.setAttribute("data-mark-message", "");
    box.appendChild(el("p", text));
    form.parentNode.insertBefore(box, form);
  }

  /* Saved pages are snapshots: show the marks made since. */
  function reflect() {
    document.querySelectorAll("[data-progress]").forEach(function (line) {
      var course = attr(line, "course");
      var total = +attr(line, "total");
      var page = attr(line, "done").split(" ");
      remember(course, page);
      var marked = known(course);
      var done = {};
      page.concat(Object.keys(marked)).forEach(function (slug) { if (slug) done[slug] = 1; });
      var n = Math.min(Object.keys(done).length, total);
      line.textContent = fill(attr(line, "progress"), n, total);
      var bar = document.querySelector("[data-progress-bar]");
      if (bar && total) bar.value = Math.round(100 * n / total);
      document.querySelectorAll("[data-done-label] li[data-module]").forEach(function (item) {
        if (marked[attr(item, "module")] && !item.querySelector(".done")) {
          item.append(" ", el("span", attr(item.parentNode, "done-label"), "", "done"));
        }
      });
      var form = document.querySelector("form[data-offline-complete]");
      var state = form && marked[attr(form, "module")];
      if (state) {
        var study = document.querySelector("[data-study-note]");
        if (study) study.remove();
        form.replaceWith(el("p", attr(form, state === "q" ? "queued" : "marked"), "", "done"));
      }
    });
  }

  function queueCompletion(form, id) {
    var course = attr(form, "course");
    var module = attr(form, "module");
    var queue = read(QUEUE, []);
    /* One queued mark per module (and person). */
    if (!queue.some(function (e) { return mine(e) && e.course === course && e.module === module; })) {
      var times = read(READ, {});
      var seconds = (times[pageKey(form)] || 0) + takeVisible();
      delete times[pageKey(form)];
      write(READ, times);
      queue.push({
        user: me,
        id: id,
        course: course,
        module: module,
        kind: "completed",
        occurred_at: new Date().toISOString(),
        seconds: seconds
      });
      write(QUEUE, queue);
    }
    reflect();
    showStatus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-offline-complete")) return;
    event.preventDefault();
    if (form.busy) return;  /* a double tap sends one request */
    form.busy = true;
    /* Its id is made here, not in the page (so the page revalidates as 304); a mark whose
       answer was lost is queued with the same id, so it counts once. */
    var id = form.elements.event_id;
    if (!id) {
      id = el("input");
      id.type = "hidden";
      id.name = "event_id";
      id.value = newId();
      form.appendChild(id);
    }
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (response.ok || response.redirected) {
          remember(attr(form, "course"), [attr(form, "module")]);
          window.location.assign(response.url);
          return;
        }
        form.busy = false;
        if (response.status !== 409) { form.submit(); return; }
        /* Refused as too early: the server's message, in place. */
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var message = page.querySelector("[data-mark-message]");
          if (message) showMarkMessage(form, message.textContent.trim());
          else form.submit();
        });
      })
      .catch(function () { queueCompletion(form, id.value); });
  });

  function markSaved(button) {
    button.textContent = attr(button, "saved");
    button.disabled = true;
  }

  function saveCourse(button) {
    button.disabled = true;
    button.textContent = attr(button, "saving");
    fetch(attr(button, "manifest"), { credentials: "same-origin" })
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
          }));
        }).then(function () {
          var saved = read(SAVED, {});
          saved[manifest.course] = {
            v: manifest.version, title: manifest.title, modules: manifest.modules, done: manifest.done
          };
          write(SAVED, saved);
          markSaved(button);
          reflect();
        });
      })
      .catch(function () {
        button.disabled = false;
        button.textContent = attr(button, "failed");
      });
  }

  document.querySelectorAll("[data-save-offline]").forEach(function (button) {
    if (!("caches" in window) || !("serviceWorker" in navigator)) return;
    button.hidden = false;
    /* Saved before the offline page listed courses (a bare version): offer to save again. */
    if ((read(SAVED, {})[attr(button, "course")] || {}).modules) markSaved(button);
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
  reflect();
  showStatus();
  sync();
})();
