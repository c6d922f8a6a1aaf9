// The citizen's check-in page: remembers the person on this phone (in this browser only), so
// that the next scan is one tap. Nothing is sent anywhere but the check-in itself.
(function () {
  "use strict";
  var KEY = "fangkong.checkin.person";
  var form = document.getElementById("checkin-form");
  var remembered = document.getElementById("remembered");
  var fields = ["id_number", "name", "phone"];
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
      localStorage.setItem(KEY, JSON.stringify(value));
    } else {
      localStorage.removeItem(KEY);
    }
    button.disabled = true;
  });
})();
