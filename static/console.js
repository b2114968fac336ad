// Console behaviour that used to sit in templates: a strict Content-Security-Policy forbids
// inline handlers, so elements declare what they want with data- attributes instead.
(function () {
  "use strict";

  // <input type="checkbox" data-select-all="input[name=user_id]">: ticks or clears every
  // matching checkbox in the same table.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.matches("[data-select-all]")) return;
    var scope = box.closest("table") || document;
    scope.querySelectorAll(box.getAttribute("data-select-all")).forEach(function (other) {
      other.checked = box.checked;
    });
  });

  // <tr data-focus-on-load="input[name=first_name]">: focus that field once htmx has placed
  // the element (a native autofocus fires late and steals typing).
  document.addEventListener("htmx:load", function (event) {
    var element = event.detail && event.detail.elt;
    if (!(element instanceof Element)) return;
    var holder = element.matches("[data-focus-on-load]") ? element : element.querySelector("[data-focus-on-load]");
    if (!holder) return;
    var field = holder.querySelector(holder.getAttribute("data-focus-on-load"));
    if (field) field.focus();
  });
})();
