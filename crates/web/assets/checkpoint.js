// Checkpoint page: the last origin and destination are remembered on this device (most traffic
// at one checkpoint comes from the same places), and the vehicle fields show only when needed.
(function () {
  "use strict";
  var KEY = "fangkong.checkpoint.places";
  var vehicle = document.getElementById("vehicle");
  var fields = document.getElementById("vehicle-fields");
  function toggle() { fields.hidden = !vehicle.checked; }
  vehicle.addEventListener("change", toggle);
  toggle();
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (e) { saved = {}; }
  ["p-origin", "p-destination"].forEach(function (id) {
    var input = document.getElementById(id);
    if (!input.value && saved[id]) { input.value = saved[id]; }
  });
  document.getElementById("passage-form").addEventListener("submit", function () {
    var value = {};
    ["p-origin", "p-destination"].forEach(function (id) { value[id] = document.getElementById(id).value; });
    localStorage.setItem(KEY, JSON.stringify(value));
    document.getElementById("passage-submit").disabled = true;
  });
  var id = document.getElementById("p-id");
  if (id && !document.querySelector(".error")) { id.focus(); }
})();
