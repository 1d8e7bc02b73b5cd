/* Evidence upload with a progress bar, without leaving the page.
 *
 * Progressive enhancement: without this script the form posts normally (the 报送 form's 上传所选文件
 * button posts the whole form, so the report typed so far is kept as a draft). With it, the files
 * go through XMLHttpRequest so upload.onprogress can drive the <progress> bar; the view sees
 * "X-Requested-With: XMLHttpRequest" and answers JSON ({ok, message, files, redirect}). In the 报送
 * form the stored files are added to its list of files, ticked, and nothing typed is touched.
 */
(function () {
  "use strict";

  function setMessage(form, text, isError) {
    var box = form.querySelector(".upload-message");
    if (!box) { return; }
    box.textContent = text || "";
    box.className = "upload-message" + (isError ? " error" : "");
  }

  function sizeText(bytes) {
    if (bytes >= 1048576) { return (bytes / 1048576).toFixed(1) + " MB"; }
    if (bytes >= 1024) { return Math.round(bytes / 1024) + " KB"; }
    return bytes + " B";
  }

  function addFiles(list, files) {
    var holder = list.querySelector("[data-evidence-choices]");
    if (!holder) {  // the first files: the list replaces "尚未上传佐证材料"
      list.textContent = "";
      holder = document.createElement("div");
      holder.className = "field";
      holder.setAttribute("data-evidence-choices", "");
      var title = document.createElement("label");
      title.textContent = list.getAttribute("data-label") || "";
      holder.appendChild(title);
      list.appendChild(holder);
    }
    var target = holder.querySelector("#id_submit_evidence_ids") || holder;
    files.forEach(function (file) {
      var row = document.createElement("div");
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "evidence_ids";
      box.value = String(file.id);
      box.checked = true;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + file.name + "（" + sizeText(file.size) + "）"));
      row.appendChild(label);
      target.appendChild(row);
    });
  }

  function refreshCurrentFiles() {
    // The page's own list of current files (with its 撤下 buttons), read again from the server.
    var section = document.querySelector("[data-current-files]");
    if (!section || !window.fetch || !window.DOMParser) { return; }
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-current-files]");
        if (fresh) { section.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* the list is refreshed on the next visit */ });
  }

  function enhance(form) {
    var status = form.querySelector(".upload-status");
    var bar = status ? status.querySelector("progress") : null;
    var percent = status ? status.querySelector(".upload-percent") : null;
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector("[data-evidence-list]");

    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      var standalone = form.getAttribute("data-action") === "upload_evidence";
      if (!standalone && !(submitter && submitter.hasAttribute("data-upload-button"))) { return; }
      if (!window.FormData || !window.XMLHttpRequest) { return; }  // plain post instead
      event.preventDefault();
      if (input && !input.files.length) {
        setMessage(form, form.getAttribute("data-no-file") || "请先选择要上传的文件", true);
        return;
      }
      var button = submitter || form.querySelector("button[type=submit]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", (submitter && submitter.getAttribute("formaction")) || form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.responseType = "json";
      if (status) { status.hidden = false; }
      if (bar) { bar.value = 0; }
      if (percent) { percent.textContent = ""; }
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
        if (button) { button.disabled = false; }
        if (status) { status.hidden = true; }
        if (xhr.status >= 200 && xhr.status < 300 && body.ok) {
          if (list && body.files) {
            addFiles(list, body.files);
            refreshCurrentFiles();
            if (input) { input.value = ""; }
            setMessage(form, body.message, false);
          } else {
            setMessage(form, body.message, false);
            window.location.assign(body.redirect || window.location.href);
          }
          return;
        }
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
