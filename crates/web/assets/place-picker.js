// The place picker: under an area-code field marked data-place-picker, one select per level
// (乡镇 → 村 → 网格) filled from /places/{code}/children, starting at the user's jurisdiction
// (data-root). Picking a division fills the area field; picking a grid fills the grid field
// named by data-grid-input and its village into the area field. Typing a code still works.
(function () {
  "use strict";
  document.querySelectorAll("input[data-place-picker]").forEach(function (area) {
    var root = area.getAttribute("data-root");
    if (!root || !window.fetch) { return; }
    var gridInput = area.form && area.getAttribute("data-grid-input")
      ? area.form.querySelector("input[name='" + area.getAttribute("data-grid-input") + "']") : null;
    var choose = area.getAttribute("data-choose") || "—";
    var box = document.createElement("div");
    box.className = "place-picker";
    area.parentNode.insertBefore(box, area.nextSibling);
    function level(code, depth) {
      // Drop the selects below the one that changed.
      while (box.children.length > depth) { box.removeChild(box.lastChild); }
      fetch("/places/" + encodeURIComponent(code) + "/children", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (places) {
          if (!places.length) { return; }
          var select = document.createElement("select");
          select.setAttribute("aria-label", area.getAttribute("aria-label") || "");
          var none = document.createElement("option");
          none.value = ""; none.textContent = choose;
          select.appendChild(none);
          places.forEach(function (p) {
            var option = document.createElement("option");
            option.value = p.code; option.textContent = p.name; option.setAttribute("data-grid", p.grid ? "1" : "");
            select.appendChild(option);
          });
          select.addEventListener("change", function () {
            var picked = select.options[select.selectedIndex];
            if (!picked.value) { return; }
            if (picked.getAttribute("data-grid") && gridInput) {
              gridInput.value = picked.value;
              area.value = picked.value.slice(0, 12);
            } else if (!picked.getAttribute("data-grid")) {
              area.value = picked.value;
              if (gridInput) { gridInput.value = ""; }
            } else {
              area.value = picked.value;
            }
            // Filters that reload on change (htmx) see the new value.
            area.dispatchEvent(new Event("change", { bubbles: true }));
            level(picked.value, depth + 1);
          });
          box.appendChild(select);
        })
        .catch(function () {});
    }
    level(root, 0);
  });
})();
