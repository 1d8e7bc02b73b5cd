/* 报送草稿: what the clerk types in the 报送 form is saved on the server as they type.
 *
 * A second after the last keystroke, and when the page is hidden or left, the report and the
 * "no file" statement are posted to the form's data-draft-url; the page shows when it was saved.
 * The page opens again with the draft in the form (the server puts it there), so an upload, a
 * closed tab or a lost connection loses nothing. Without this script the 保存草稿 button posts
 * the same fields and comes back to the page.
 */
(function () {
  "use strict";
  var DELAY_MS = 1000;

  function enhance(form) {
    var url = form.getAttribute("data-draft-url");
    var status = form.querySelector("[data-draft-status]");
    var fields = form.querySelectorAll("textarea[name=report], textarea[name=no_file_statement]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var timer = null;
    var dirty = false;
    var submitting = false;

    function show(text, isError) {
      if (!status) { return; }
      status.textContent = text || "";
      status.className = "draft-status" + (isError ? " error" : "");
    }

    function payload() {
      var data = new FormData();
      if (token) { data.append("csrfmiddlewaretoken", token.value); }
      for (var i = 0; i < fields.length; i++) { data.append(fields[i].name, fields[i].value); }
      return data;
    }

    function save(keepalive) {
      if (!dirty || submitting) { return; }
      dirty = false;
      window.clearTimeout(timer);
      fetch(url, { method: "POST", body: payload(), credentials: "same-origin", keepalive: !!keepalive,
                   headers: { "X-Requested-With": "XMLHttpRequest" } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok && body.ok, body: body }; });
        })
        .then(function (answer) {
          if (answer.ok) { show(answer.body.message, false); return; }
          dirty = true;
          show(answer.body.message || form.getAttribute("data-draft-failed"), true);
        })
        .catch(function () {
          dirty = true;
          show(form.getAttribute("data-draft-failed"), true);
        });
    }

    for (var i = 0; i < fields.length; i++) {
      fields[i].addEventListener("input", function () {
        dirty = true;
        window.clearTimeout(timer);
        timer = window.setTimeout(save, DELAY_MS);
      });
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { save(true); }
    });
    window.addEventListener("pagehide", function () { save(true); });
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.hasAttribute("data-draft-button")) {
        event.preventDefault();  // saved here, and the clerk stays on the page
        dirty = true;
        save(false);
      } else if (submitter && submitter.hasAttribute("data-submit-button")) {
        submitting = true;  // the submission itself carries the text; the server drops the draft
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-draft-url]");
    for (var i = 0; i < forms.length; i++) { enhance(forms[i]); }
  });
})();
