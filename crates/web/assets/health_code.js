// The citizen's health-code page: the person is remembered on this phone (the same entry as the
// venue check-in page), so the code is one tap away; an expired code greys out and asks for a
// refresh. Nothing leaves the phone but the request for the code itself.
(function () {
  "use strict";
  var KEY = "fangkong.checkin.person";
  var PENDING = "fangkong.code.pending";
  // What was typed is remembered only once the server answered with a code, never a refused
  // identity (else one-tap would fail every time after).
  var pending = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (pending && document.getElementById("code") && document.querySelector(".error") === null) {
    localStorage.setItem(KEY, pending);
  }
  var form = document.getElementById("code-form");
  var remembered = document.getElementById("remembered");
  var fields = ["id_number", "name", "phone"];
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  var person = load();
  var hasError = document.querySelector(".error") !== null;
  if (person && person.id_number && person.phone && !hasError) {
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
    if (document.getElementById("remember").checked) {
      var value = load() || {};
      fields.forEach(function (f) { value[f] = document.getElementById(f).value.trim(); });
      sessionStorage.setItem(PENDING, JSON.stringify(value));
    } else {
      localStorage.removeItem(KEY);
    }
    document.getElementById("code-submit").disabled = true;
  });
  var code = document.getElementById("code");
  if (code) {
    var expires = parseInt(code.getAttribute("data-expires"), 10) * 1000;
    var check = function () {
      if (Date.now() >= expires) {
        code.classList.add("code-stale");
        document.getElementById("code-expired").hidden = false;
        return;
      }
      setTimeout(check, 5000);
    };
    check();
  }
})();
