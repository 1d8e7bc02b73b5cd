/* Evidence upload with a progress bar.
 *
 * Progressive enhancement: without this script the form posts normally. With it, the file goes
 * through XMLHttpRequest so upload.onprogress can drive the <progress> bar; the view sees
 * "X-Requested-With: XMLHttpRequest" and answers JSON ({ok, message, redirect}).
 */
(function () {
  "use strict";

  function setMessage(form, text, isError) {
    var box = form.querySelector(".upload-message");
    if (!box) { return; }
    box.textContent = text || "";
    box.className = "upload-message" + (isError ? " error" : "");
  }

  function enhance(form) {
    var status = form.querySelector(".upload-status");
    var bar = status ? status.querySelector("progress") : null;
    var percent = status ? status.querySelector(".upload-percent") : null;
    var button = form.querySelector("button[type=submit]");

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }  // plain post instead
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.responseType = "json";
      if (status) { status.hidden = false; }
      if (bar) { bar.value = 0; }
      if (button) { button.disabled = true; }
      setMessage(form, "", false);

      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable || !bar) { return; }
        var value = Math.round((e.loaded / e.total) * 100);
        bar.value = value;
        if (percent) { percent.textContent = value + "%"; }
      };
      xhr.onload = function () {
        var body = xhr.response || {};
        if (xhr.status >= 200 && xhr.status < 300 && body.ok) {
          setMessage(form, body.message, false);
          window.location.assign(body.redirect || window.location.href);
          return;
        }
        if (button) { button.disabled = false; }
        if (status) { status.hidden = true; }
        var text = body.message || form.getAttribute("data-failed") || "上传失败";
        if (xhr.status === 413 && !body.message) { text = form.getAttribute("data-too-large") || text; }
        setMessage(form, text, true);
      };
      xhr.onerror = function () {
        if (button) { button.disabled = false; }
        if (status) { status.hidden = true; }
        setMessage(form, form.getAttribute("data-network-error") || "网络错误，上传未完成", true);
      };
      xhr.send(new FormData(form));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-upload]");
    for (var i = 0; i < forms.length; i++) { enhance(forms[i]); }
  });
})();
