// Security keys (WebAuthn) for the zones with accounts, the newsroom and the
// archive, on the same paths in each. It is their only script, and nothing
// needs it: the TOTP code always works without it.
(function () {
  "use strict";
  function enc(buf) {
    var s = "", b = new Uint8Array(buf);
    for (var i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function dec(str) {
    str = str.replace(/-/g, "+").replace(/_/g, "/");
    while (str.length % 4) str += "=";
    var s = atob(str), b = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return b.buffer;
  }
  function token() { return document.querySelector('input[name="csrf"]').value; }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token() },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); });
  }
  function getOptions(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }
  function register() {
    getOptions("/account/keys/options").then(function (o) {
      var pk = o.publicKey;
      pk.challenge = dec(pk.challenge);
      pk.user.id = dec(pk.user.id);
      (pk.excludeCredentials || []).forEach(function (c) { c.id = dec(c.id); });
      return navigator.credentials.create({ publicKey: pk });
    }).then(function (c) {
      return post("/account/keys", {
        id: c.id, rawId: enc(c.rawId), type: c.type,
        response: { attestationObject: enc(c.response.attestationObject), clientDataJSON: enc(c.response.clientDataJSON) }
      });
    }).then(function (r) { location.href = r.next || "/account?failed=1"; })
      .catch(function () { location.href = "/account?failed=1"; });
  }
  function login() {
    var status = document.getElementById("key-status");
    getOptions("/login/key/options").then(function (o) {
      if (!o.publicKey) { location.href = o.next || "/login"; return Promise.reject(); }
      var pk = o.publicKey;
      pk.challenge = dec(pk.challenge);
      (pk.allowCredentials || []).forEach(function (c) { c.id = dec(c.id); });
      return navigator.credentials.get({ publicKey: pk });
    }).then(function (a) {
      // The page's query (?next=…) says where the zone sends us after.
      return post("/login/key" + location.search, {
        id: a.id, rawId: enc(a.rawId), type: a.type,
        response: {
          authenticatorData: enc(a.response.authenticatorData), clientDataJSON: enc(a.response.clientDataJSON),
          signature: enc(a.response.signature), userHandle: a.response.userHandle ? enc(a.response.userHandle) : ""
        }
      });
    }).then(function (r) {
      if (r.next) { location.href = r.next; } else if (status) { status.textContent = r.error || ""; }
    }).catch(function () { if (status) status.textContent = "—"; });
  }
  var add = document.getElementById("add-key");
  if (add) add.addEventListener("click", register);
  var use = document.getElementById("use-key");
  if (use) use.addEventListener("click", login);
})();
