/* Passkeys: sign in with one, and add one in the security centre.
 * Progressive: the buttons and the form stay hidden unless this browser
 * can use WebAuthn. Messages come from data-* attributes, already translated.
 */
(function () {
  "use strict";
  if (window.bfPasskeysLoaded) { return; }
  window.bfPasskeysLoaded = true;

  function bufferToBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function base64urlToBuffer(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var text = atob(base64);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    return bytes.buffer;
  }

  function supported() {
    return !!(window.PublicKeyCredential && navigator.credentials &&
              navigator.credentials.create && navigator.credentials.get);
  }

  function csrfToken(root) {
    var input = root.querySelector("input[name=csrfmiddlewaretoken]") ||
                document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, token, body) {
    var headers = { "X-CSRFToken": token, "Accept": "application/json" };
    if (!(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body || {});
    }
    return fetch(url, {
      method: "POST", credentials: "same-origin", headers: headers, body: body
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.detail || "");
          error.field = data.field || null;
          error.server = true;
          throw error;
        }
        return data;
      });
    });
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      var copy = Object.assign({}, item);
      copy.id = base64urlToBuffer(item.id);
      return copy;
    });
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = base64urlToBuffer(json.challenge);
    if (json.allowCredentials) { options.allowCredentials = descriptors(json.allowCredentials); }
    return options;
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = base64urlToBuffer(json.challenge);
    options.user = Object.assign({}, json.user, { id: base64urlToBuffer(json.user.id) });
    if (json.excludeCredentials) { options.excludeCredentials = descriptors(json.excludeCredentials); }
    return options;
  }

  /* The parts every credential has, around its own response fields. */
  function credentialJSON(credential, response) {
    return {
      id: credential.id,
      rawId: bufferToBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: response
    };
  }

  function assertionJSON(credential) {
    var r = credential.response;
    return credentialJSON(credential, {
      clientDataJSON: bufferToBase64url(r.clientDataJSON),
      authenticatorData: bufferToBase64url(r.authenticatorData),
      signature: bufferToBase64url(r.signature),
      userHandle: r.userHandle ? bufferToBase64url(r.userHandle) : null
    });
  }

  function attestationJSON(credential) {
    var r = credential.response;
    return credentialJSON(credential, {
      clientDataJSON: bufferToBase64url(r.clientDataJSON),
      attestationObject: bufferToBase64url(r.attestationObject),
      transports: r.getTransports ? r.getTransports() : []
    });
  }

  function cancelled(error) {
    return error && (error.name === "NotAllowedError" || error.name === "AbortError");
  }

  /* Sign in with a passkey (sign-in page and second step). */
  function setUpSignIn(root) {
    var button = root.querySelector("[data-passkey-signin-button]");
    var status = root.querySelector("[data-passkey-status]");
    if (!button || !supported()) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var token = csrfToken(root);
      button.disabled = true;
      status.textContent = root.dataset.msgWorking;
      post(root.dataset.optionsUrl, token, { second_step: !!root.dataset.secondStep })
        .then(function (json) {
          return navigator.credentials.get({ publicKey: requestOptions(json) });
        })
        .then(function (credential) {
          return post(root.dataset.verifyUrl, token, assertionJSON(credential));
        })
        .then(function (data) { window.location.assign(data.redirect); })
        .catch(function (error) {
          button.disabled = false;
          if (cancelled(error)) { status.textContent = root.dataset.msgCancelled; }
          else { status.textContent = (error.server && error.message) || root.dataset.msgFailed; }
        });
    });
  }

  /* Add a passkey in the security centre. */
  function setUpAdd(form) {
    var unsupported = document.querySelector("[data-passkey-unsupported]");
    if (!supported()) { if (unsupported) { unsupported.hidden = false; } return; }
    form.hidden = false;
    var status = form.querySelector("[data-passkey-status]");
    var errorBox = form.querySelector("[data-passkey-error]");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var token = csrfToken(form);
      form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
      errorBox.textContent = "";
      status.textContent = form.dataset.msgWorking;
      button.disabled = true;
      post(form.action, token, new FormData(form))
        .then(function (json) {
          return navigator.credentials.create({ publicKey: creationOptions(json) });
        })
        .then(function (credential) {
          return post(form.dataset.verifyUrl, token, attestationJSON(credential));
        })
        .then(function (data) { window.location.assign(data.redirect); })
        .catch(function (error) {
          button.disabled = false;
          status.textContent = "";
          if (cancelled(error)) { errorBox.textContent = form.dataset.msgCancelled; return; }
          errorBox.textContent = (error.server && error.message) || form.dataset.msgFailed;
          var field = error.field && form.querySelector("[name=" + error.field + "]");
          if (field) {
            field.setAttribute("aria-invalid", "true");
            errorBox.id = errorBox.id || "passkey-error";
            var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (v) { return v && v !== errorBox.id; });
            described.push(errorBox.id);
            field.setAttribute("aria-describedby", described.join(" "));
            field.focus();
          }
        });
    });
  }

  function start() {
    document.querySelectorAll("[data-passkey-signin]").forEach(setUpSignIn);
    document.querySelectorAll("form[data-passkey-add]").forEach(setUpAdd);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
}());
