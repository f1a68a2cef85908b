/* The offline page, which the service worker shows for any page not saved: the start page (/)
   and the catalogue too. It lists the courses saved on this phone, each with its progress
   (marks the server confirmed, and marks still queued) and a link to its next unfinished
   module. A saved course's "Lanjutkan belajar" (/kursus/CODE/lanjutkan, never saved: where it
   leads changes with every mark) goes straight on to that module. Data: lentera.js. */
(function () {
  "use strict";
  function read(key) {
    try { return JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { return {}; }
  }
  function el(tag, text, href) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (href) node.href = href;
    return node;
  }
  var box = document.querySelector("[data-saved-courses]");
  var saved = read("lentera-tersimpan");
  var queue = read("lentera-antrean");
  var codes = Object.keys(saved).filter(function (code) { return saved[code].modules; });
  var links = {};
  codes.forEach(function (code) {
    var entry = saved[code];
    var done = {};
    entry.done.forEach(function (slug) { done[slug] = 1; });
    [].forEach.call(queue, function (e) { if (e.course === code) done[e.module] = 1; });
    var left = entry.modules.filter(function (m) { return !done[m[0]]; });
    /* All read: the course page, where the final test is (it needs a connection). */
    links[code] = "/kursus/" + code + (left.length ? "/modul/" + left[0][0] : "");
    var item = el("li", "");
    var go = el("a", box.getAttribute("data-resume"), links[code]);
    go.className = "button";
    var progress = box.getAttribute("data-progress")
      .replace("{done}", entry.modules.length - left.length)
      .replace("{total}", entry.modules.length);
    item.append(el("a", entry.title, "/kursus/" + code), " ", el("span", progress), " ", go);
    box.querySelector("ul").appendChild(item);
  });
  box.hidden = !codes.length;
  var resume = /^\/kursus\/([^/]+)\/lanjutkan$/.exec(location.pathname);
  if (resume && links[resume[1]]) location.replace(links[resume[1]]);
})();
