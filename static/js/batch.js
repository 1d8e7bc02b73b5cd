// 批量操作 on the 承办件 list: "全选本页", how many are ticked, and only the fields the chosen action needs.
(function () {
  "use strict";
  var form = document.querySelector("[data-batch]");
  if (!form) { return; }
  var picks = Array.prototype.slice.call(document.querySelectorAll("[data-pick]"));
  var all = document.querySelector("[data-pick-all]");
  var count = form.querySelector("[data-picked-count]");
  var action = form.querySelector("select[name=action]");
  var needs = {remind: "message", accept: "opinion", due_date: "due_date"};
  function field(name) {
    var input = form.querySelector("[name=" + name + "]");
    return input && input.closest(".field");
  }
  function show() {
    Object.keys(needs).forEach(function (key) {
      var box = field(needs[key]);
      if (box) { box.hidden = action.value !== key; }
    });
  }
  function counted() {
    var n = picks.filter(function (p) { return p.checked; }).length;
    count.textContent = n ? count.dataset.template.replace("{n}", n) : "";
    if (all) { all.checked = n > 0 && n === picks.length; }
  }
  if (all) {
    all.hidden = false;
    all.addEventListener("change", function () {
      picks.forEach(function (p) { p.checked = all.checked; });
      counted();
    });
  }
  picks.forEach(function (p) { p.addEventListener("change", counted); });
  action.addEventListener("change", show);
  show();
  counted();
}());
