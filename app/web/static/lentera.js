/* Lentera: progressive enhancement only. Every flow works without this file.
   - "Tandai selesai" keeps working offline: the completion is queued and sent to /sinkron
     when the connection returns. Its event id is made here, once per page view (the page
     itself carries none, so it revalidates as 304), and a mark the network lost is queued
     with that same id: it counts once. One queued mark per module: a second tap adds none.
   - "Simpan untuk dibaca offline" stores a course's pages (simulations included) and images
     in the Cache API, and what this phone knows of the course (title, modules, marks).
   - Saved pages are snapshots: marks made since (queued or synced) are shown on them.
   - The offline page (the start page without a connection) lists the saved courses, and
     sends "Lanjutkan belajar" of a saved course to its next unfinished module.
   - A small status line shows what is waiting to be synced.
   - Study time: the server measures time on a module between serving the page and the mark.
     Offline it cannot, so the page counts the seconds it was visible while offline and sends
     them with a queued mark (the server clamps them). A mark refused as too early, online or
     after a sync, is shown with the time left; the learner marks again later. */
(function () {
  "use strict";
  var QUEUE = "lentera-antrean";
  var SAVED = "lentera-tersimpan";  /* course -> {v, title, modules: [[slug, title]], done: [slug]} */
  var PAGES = "lentera-halaman";
  var STATIC = "lentera-statis-v1";  /* sw.js */
  var READ = "lentera-waktu-baca";  /* "COURSE/module" -> seconds read offline, not yet sent */
  var NOTICES = "lentera-pesan";    /* "COURSE/module" -> message about a refused offline mark */
  var meta = document.querySelector('meta[name="csrf-token"]');
  var status = document.getElementById("sync-status");

  function read(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function write(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function el(tag, text, href) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (href) node.href = href;
    return node;
  }
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
        result.applied.concat(result.duplicates).forEach(function (id) { settled[id] = 1; });
        read(QUEUE, []).forEach(function (e) {
          if (tooEarly[e.id]) notices[e.course + "/" + e.module] = tooEarly[e.id];
          if (settled[e.id]) remember(e.course, [e.module]);
        });
        write(NOTICES, notices);
        Object.keys(result.rejected).concat(Object.keys(tooEarly))
          .forEach(function (id) { settled[id] = 1; });
        write(QUEUE, read(QUEUE, []).filter(function (e) { return !settled[e.id]; }));
      });
    }).catch(function () { /* still offline: try again later */ }).then(showStatus);
  }

  /* What this phone knows is complete in a course: marks the server confirmed (when the
     course was saved, on pages seen since, in syncs) and marks still queued ("q"). */
  function known(course) {
    var mine = {};
    var entry = read(SAVED, {})[course];
    ((entry && entry.done) || []).forEach(function (slug) { mine[slug] = 1; });
    read(QUEUE, []).forEach(function (e) { if (e.course === course) mine[e.module] = "q"; });
    if (entry && entry.modules) {
      /* Only the modules the course has (a republish may have removed one). */
      var current = {};
      entry.modules.forEach(function (m) { current[m[0]] = 1; });
      Object.keys(mine).forEach(function (slug) { if (!current[slug]) delete mine[slug]; });
    }
    return mine;
  }
  function remember(course, slugs) {
    /* Completions only grow, so a saved course adds what any page or sync says. */
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

  /* Saved pages are snapshots: show on them the marks made since, queued or synced. */
  function reflect() {
    document.querySelectorAll("[data-progress]").forEach(function (line) {
      var course = line.getAttribute("data-course");
      var total = +line.getAttribute("data-total");
      var page = line.getAttribute("data-done").split(" ");
      remember(course, page);
      var mine = known(course);
      var done = {};
      page.concat(Object.keys(mine)).forEach(function (slug) { if (slug) done[slug] = 1; });
      var n = Math.min(Object.keys(done).length, total);
      line.textContent = line.getAttribute("data-progress").replace("{done}", n).replace("{total}", total);
      var bar = document.querySelector("[data-progress-bar]");
      if (bar && total) bar.value = Math.round(100 * n / total);
      var list = document.querySelector("[data-done-label]");
      document.querySelectorAll("[data-done-label] li[data-module]").forEach(function (item) {
        if (!mine[item.getAttribute("data-module")] || item.querySelector(".done")) return;
        var label = el("span", list.getAttribute("data-done-label"));
        label.className = "done";
        item.append(" ", label);
      });
      var form = document.querySelector("form[data-offline-complete]");
      var state = form && mine[form.getAttribute("data-module")];
      if (state) {
        var note = el("p", form.getAttribute(state === "q" ? "data-queued" : "data-marked"));
        note.className = "done";
        var study = document.querySelector("[data-study-note]");
        if (study) study.remove();
        form.replaceWith(note);
      }
    });
  }

  function queueCompletion(form, id) {
    var course = form.getAttribute("data-course");
    var module = form.getAttribute("data-module");
    var queue = read(QUEUE, []);
    if (!queue.some(function (e) { return e.course === course && e.module === module; })) {
      var times = read(READ, {});
      var seconds = (times[pageKey(form)] || 0) + takeVisible();
      delete times[pageKey(form)];
      write(READ, times);
      queue.push({
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
    var id = form.elements.event_id;
    if (!id) {
      id = document.createElement("input");
      id.type = "hidden";
      id.name = "event_id";
      id.value = newId();
      form.appendChild(id);
    }
    /* Try the normal request first; only a failed network queues the completion. */
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (response.ok || response.redirected) {
          remember(form.getAttribute("data-course"), [form.getAttribute("data-module")]);
          window.location.assign(response.url);
          return;
        }
        form.busy = false;
        if (response.status !== 409) { form.submit(); return; }
        /* Refused (too early): show the server's message in place, nothing else changed. */
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
            /* The offline page (the start page without a connection) and this page's files. */
            var files = [].map.call(
              document.querySelectorAll("script[src], link[rel=stylesheet]"),
              function (node) { return node.src || node.href; });
            return caches.open(STATIC).then(function (cache) { return cache.addAll(["/offline"].concat(files)); });
          }).then(function () {
            var saved = read(SAVED, {});
            saved[manifest.course] = {
              v: manifest.version, title: manifest.title, modules: manifest.modules, done: manifest.done
            };
            write(SAVED, saved);
            markSaved(button);
            reflect();
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

  /* The offline page: the saved courses, each with its progress and next module. */
  function nextModule(code, entry) {
    var mine = known(code);
    var next = entry.modules.filter(function (m) { return !mine[m[0]]; })[0];
    /* All read: the course page (the final test needs a connection). */
    return "/kursus/" + code + (next ? "/modul/" + next[0] : "");
  }
  function showSaved(box) {
    var saved = read(SAVED, {});
    var codes = Object.keys(saved).filter(function (code) { return saved[code].modules; });
    var resume = /^\/kursus\/([^/]+)\/lanjutkan$/.exec(location.pathname);
    if (resume && codes.indexOf(resume[1]) >= 0) {
      location.replace(nextModule(resume[1], saved[resume[1]]));
      return;
    }
    codes.forEach(function (code) {
      var entry = saved[code];
      var mine = known(code);
      var done = entry.modules.filter(function (m) { return mine[m[0]]; }).length;
      var item = el("li", "");
      var go = el("a", box.getAttribute("data-resume"), nextModule(code, entry));
      go.className = "button";
      item.append(
        el("a", entry.title, "/kursus/" + code), " ",
        el("span", box.getAttribute("data-progress").replace("{done}", done).replace("{total}", entry.modules.length)),
        " ", go);
      box.querySelector("ul").appendChild(item);
    });
    box.hidden = !codes.length;
  }
  var savedBox = document.querySelector("[data-saved-courses]");
  if (savedBox) showSaved(savedBox);

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
