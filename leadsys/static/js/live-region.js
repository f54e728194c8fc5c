// Keeps a console list fresh without a reload: every few seconds it fetches the same page,
// swaps in the region marked [data-live-region], and counts rows (data-live-row) that were not
// there when the page opened in the tab title, "(2 new) My queue". A static file: the CSP stays strict.
(function () {
  "use strict";
  var region = document.querySelector("[data-live-region]");
  if (!region || !window.fetch || !window.DOMParser) return;
  var every = Math.max(2, parseInt(region.getAttribute("data-live-every"), 10) || 15) * 1000;
  var baseTitle = document.title;
  var seen = {};
  function rowIds(root) {
    return Array.prototype.map.call(root.querySelectorAll("[data-live-row]"), function (row) {
      return row.getAttribute("data-live-row");
    });
  }
  rowIds(region).forEach(function (id) { seen[id] = true; });
  function busy() {
    // Never swap the list under someone typing or choosing in it.
    var active = document.activeElement;
    return active && region.contains(active) && /INPUT|SELECT|TEXTAREA/.test(active.tagName);
  }
  function refresh() {
    if (document.hidden === false && busy()) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Live-Refresh": "1" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-region]");
        if (!fresh) return;
        var fresh_ids = rowIds(fresh);
        var added = fresh_ids.filter(function (id) { return !seen[id]; }).length;
        region.innerHTML = fresh.innerHTML;
        Array.prototype.forEach.call(region.querySelectorAll("[data-live-row]"), function (row) {
          if (!seen[row.getAttribute("data-live-row")]) row.classList.add("is-new");
        });
        document.title = added ? "(" + added + " new) " + baseTitle : baseTitle;
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();
