/* Several unit names in one field, each picked from the directory's <datalist>.
 *
 * A datalist offers whole values only; once a name and "、" are typed, this rewrites the offered
 * options as "what is typed so far" + each name, so the next name can be picked too. Without the
 * script the field still takes names typed by hand, joined by "、".
 */
(function () {
  "use strict";
  var list = document.getElementById("unit-names");
  if (!list) { return; }
  var names = Array.prototype.map.call(list.options, function (o) { return [o.value, o.label]; });
  var shownPrefix = "";

  function offer(prefix) {
    if (prefix === shownPrefix) { return; }
    shownPrefix = prefix;
    var fragment = document.createDocumentFragment();
    names.forEach(function (pair) {
      if (prefix.indexOf(pair[0] + "、") !== -1) { return; }  // already chosen
      var option = document.createElement("option");
      option.value = prefix + pair[0];
      if (pair[1] && pair[1] !== pair[0]) { option.label = pair[1]; }
      fragment.appendChild(option);
    });
    list.replaceChildren(fragment);
  }

  function prefixOf(value) {
    var cut = Math.max(value.lastIndexOf("、"), value.lastIndexOf("，"), value.lastIndexOf(","));
    return cut < 0 ? "" : value.slice(0, cut + 1);
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-names")) { offer(prefixOf(field.value)); }
  });
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-names")) { offer(prefixOf(field.value)); }
  });

  var added = document.getElementById("new-item");
  if (added) {
    var box = added.querySelector("textarea");
    added.scrollIntoView({ block: "start" });
    if (box) { box.focus(); }
  }
})();
