// The numbers beside the menu's lines: what waits for this user (/menu-counts, counts only).
// Fetched after the page is shown, so a page never waits for them.
(function () {
  "use strict";
  var badges = document.querySelectorAll(".menu-count[data-count]");
  if (badges.length === 0 || !window.fetch) { return; }
  fetch("/menu-counts", { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (counts) {
      if (!counts) { return; }
      badges.forEach(function (badge) {
        var n = counts[badge.getAttribute("data-count")];
        if (typeof n === "number" && n > 0) {
          badge.textContent = n > 999 ? "999+" : String(n);
          badge.hidden = false;
          if (counts.urgent && counts.urgent.indexOf(badge.getAttribute("data-count")) >= 0) {
            badge.classList.add("urgent");
          }
        }
      });
    })
    .catch(function () {});
})();
