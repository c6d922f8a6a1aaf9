// Checkpoint scan-and-verify: a health-code token is checked here, in the browser, with the
// installation's public Ed25519 keys (kept on the device, so it works offline). Token layout:
// version(1) keyId(4) person(8) colour(1) issued(8) expires(8) signature(64), base64url.
(function () {
  "use strict";
  var KEYS = "fangkong.publickeys";
  var form = document.getElementById("verify-form");
  var input = document.getElementById("token");
  var verdict = document.getElementById("verdict");
  var texts = document.getElementById("texts").dataset;
  var served = [];
  try { served = JSON.parse(form.getAttribute("data-keys") || "[]"); } catch (e) { served = []; }
  var keys = {};
  try { keys = JSON.parse(localStorage.getItem(KEYS) || "{}"); } catch (e) { keys = {}; }
  served.forEach(function (k) { keys[String(k[0])] = k[1]; });
  if (served.length) {
    localStorage.setItem(KEYS, JSON.stringify(keys));
    document.getElementById("keys-kept").hidden = false;
  }

  function fromBase64Url(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  function int64(bytes, at) {
    var view = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
    return Number(view.getBigInt64(0));
  }
  function show(ok, colour, detail) {
    verdict.hidden = false;
    verdict.className = "verdict " + (ok ? "verdict-" + colour : "verdict-refused");
    document.getElementById("verdict-colour").textContent = ok ? texts[colour] + " · " + texts.valid : texts.refused;
    document.getElementById("verdict-detail").textContent = detail;
    verdict.setAttribute("data-result", ok ? colour : "refused");
  }
  function when(seconds) {
    var d = new Date(seconds * 1000);
    // In the page's language, in Beijing time, whatever the device's zone.
    var lang = document.documentElement.lang || "zh-CN";
    return d.toLocaleString(lang, { timeZone: "Asia/Shanghai", hour12: false, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit" });
  }

  function verifyOffline(token) {
    var bytes;
    try { bytes = fromBase64Url(token.trim()); } catch (e) { return Promise.resolve({ ok: false, reason: texts.malformed }); }
    if (bytes.length !== 94) { return Promise.resolve({ ok: false, reason: texts.malformed }); }
    if (bytes[0] !== 1) { return Promise.resolve({ ok: false, reason: texts.malformed + " (v" + bytes[0] + ")" }); }
    var keyId = new DataView(bytes.buffer, 1, 4).getUint32(0);
    var person = new DataView(bytes.buffer, 5, 8).getBigUint64(0).toString();
    var colour = ["green", "yellow", "red"][bytes[13]];
    var issued = int64(bytes, 14);
    var expires = int64(bytes, 22);
    var key = keys[String(keyId)];
    if (!key) { return Promise.resolve({ ok: false, reason: texts.unknownKey + " " + keyId }); }
    if (!colour) { return Promise.resolve({ ok: false, reason: texts.malformed }); }
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle) { return Promise.reject(new Error("no WebCrypto here")); }
    return subtle.importKey("raw", fromBase64Url(key), { name: "Ed25519" }, false, ["verify"])
      .then(function (publicKey) {
        return subtle.verify({ name: "Ed25519" }, publicKey, bytes.slice(30), bytes.slice(0, 30));
      })
      .then(function (good) {
        var now = Date.now() / 1000;
        if (!good) { return { ok: false, reason: texts.signature }; }
        if (now >= expires) { return { ok: false, reason: texts.expired + " " + when(expires) }; }
        if (issued > now + 120) { return { ok: false, reason: texts.future }; }
        return { ok: true, colour: colour, person: person, expires: expires };
      });
  }
  function verifyOnline(token) {
    return fetch("/api/v1/health-code/verify", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token: token.trim() })
    }).then(function (r) { return r.json(); }).then(function (v) {
      return v.valid ? { ok: true, colour: v.colour, person: String(v.person_ref), expires: Date.parse(v.expires_at) / 1000 }
                     : { ok: false, reason: v.reason };
    });
  }
  function run(token) {
    if (!token.trim()) { return; }
    verifyOffline(token).catch(function () { return verifyOnline(token); }).then(function (result) {
      if (result.ok) {
        var until = texts.until + " " + when(result.expires);
        show(true, result.colour, texts.person + " " + result.person + " · " + until);
        // Online, the holder's masked name replaces the number, to match against the person.
        try {
          fetch("/verify/holder/" + encodeURIComponent(result.person), { credentials: "same-origin" })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (holder) {
              if (holder && holder.name) {
                document.getElementById("verdict-detail").textContent = texts.holder + " " + holder.name + " · " + until;
              }
            })
            .catch(function () {});
        } catch (offline) { /* the number stays */ }
      } else {
        show(false, null, result.reason);
      }
      input.select();
    });
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); run(input.value); });

  // A camera, where the browser can read QR codes itself.
  var camera = document.getElementById("camera");
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    camera.hidden = false;
    camera.addEventListener("click", function () {
      var video = document.getElementById("camera-view");
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var look = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              video.hidden = true;
              input.value = codes[0].rawValue;
              run(input.value);
            } else {
              requestAnimationFrame(look);
            }
          }).catch(function () { requestAnimationFrame(look); });
        };
        look();
      });
    });
  }
})();
