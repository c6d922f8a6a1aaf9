// The citizen's check-in page: remembers the person on this phone (in this browser only), so
// that the next scan is one tap. Nothing is sent anywhere but the check-in itself. What was typed
// is kept only once the server accepted it (the done page), never a refused identity.
(function () {
  "use strict";
  var KEY = "fangkong.checkin.person";
  var PENDING = "fangkong.checkin.pending";
  var fields = ["id_number", "name", "phone"];
  if (document.getElementById("checkin-done")) {
    var pending = sessionStorage.getItem(PENDING);
    sessionStorage.removeItem(PENDING);
    if (pending) { localStorage.setItem(KEY, pending); }
    return;
  }
  sessionStorage.removeItem(PENDING);
  var form = document.getElementById("checkin-form");
  if (!form) { return; }
  var remembered = document.getElementById("remembered");
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  var person = load();
  var hasError = document.querySelector(".error") !== null;
  if (person && person.id_number && !hasError) {
    fields.forEach(function (f) { document.getElementById(f).value = person[f] || ""; });
    document.getElementById("remembered-name").textContent = person.name || "";
    var id = person.id_number || "";
    document.getElementById("remembered-id").textContent = id.slice(0, 4) + "**********" + id.slice(-4);
    remembered.hidden = false;
    form.classList.add("collapsed");
  }
  document.getElementById("one-tap").addEventListener("click", function () { form.requestSubmit(); });
  document.getElementById("not-me").addEventListener("click", function () {
    localStorage.removeItem(KEY);
    fields.forEach(function (f) { document.getElementById(f).value = ""; });
    remembered.hidden = true;
    form.classList.remove("collapsed");
  });
  form.addEventListener("submit", function () {
    var button = document.getElementById("checkin-submit");
    if (document.getElementById("remember").checked) {
      var value = {};
      fields.forEach(function (f) { value[f] = document.getElementById(f).value.trim(); });
      sessionStorage.setItem(PENDING, JSON.stringify(value));
    } else {
      localStorage.removeItem(KEY);
    }
    button.disabled = true;
  });
})();
