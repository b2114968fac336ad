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

  // <div data-shown-when="#bulk-action" data-shown-value="set_type">: shown only while that select has that value.
  // Without JavaScript it always shows (its label says when it counts).
  function showIfChosen(element) {
    var select = document.querySelector(element.getAttribute("data-shown-when"));
    if (select) element.hidden = select.value !== element.getAttribute("data-shown-value");
  }
  function showChosen(scope) {
    if (!(scope instanceof Element || scope instanceof Document)) return;
    scope.querySelectorAll("[data-shown-when]").forEach(showIfChosen);
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.id) return;
    document.querySelectorAll('[data-shown-when="#' + select.id + '"]').forEach(showIfChosen);
  });
  document.addEventListener("DOMContentLoaded", function () { showChosen(document); });
  document.addEventListener("htmx:load", function (event) { showChosen(event.detail && event.detail.elt); });

  // <td data-breakable>ann.lee@example.com</td> (or a column under <th data-breakable-column>): a long address may wrap after "@" and before a dot
  // ("ann.lee@" / "example.com"), never inside a word, and never before its last dot ("margaret.hall@example" /
  // ".com" read as two addresses). Only <wbr> is added: the text stays the same.
  function addBreaks(scope) {
    if (!(scope instanceof Element || scope instanceof Document)) return;
    var found = Array.prototype.slice.call(scope.querySelectorAll("[data-breakable]"));
    if (scope instanceof Element && scope.matches("[data-breakable]")) found.push(scope);
    // <th data-breakable-column>: every body cell of that column.
    var table = scope instanceof Element ? scope.closest("table") : null;
    var headings = table ? table.querySelectorAll("th[data-breakable-column]") : scope.querySelectorAll("th[data-breakable-column]");
    Array.prototype.forEach.call(headings, function (heading) {
      var index = heading.cellIndex;
      Array.prototype.forEach.call(heading.closest("table").tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) { if (row.cells[index]) found.push(row.cells[index]); });
      });
    });
    found.forEach(function (element) {
      if (element.hasAttribute("data-broken")) return;
      element.setAttribute("data-broken", "");
      var walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      var texts = [];
      for (var node = walker.nextNode(); node; node = walker.nextNode()) texts.push(node);
      texts.forEach(function (text) {
        var parts = text.data.split(/(?<=@)|(?=\.[^.\s]*[.@])/);
        if (parts.length < 2) return;
        var pieces = document.createDocumentFragment();
        parts.forEach(function (part, index) {
          if (index) pieces.appendChild(document.createElement("wbr"));
          pieces.appendChild(document.createTextNode(part));
        });
        text.parentNode.replaceChild(pieces, text);
      });
    });
  }
  // An error answer the server addressed to #request-error (an expired form, a row that is gone, a server error)
  // is shown there; htmx drops every 4xx and 5xx answer by itself, so the click seemed to do nothing.
  function requestError() { return document.getElementById("request-error"); }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (event.detail.isError && xhr && xhr.getResponseHeader("HX-Retarget") === "#request-error") {
      event.detail.shouldSwap = true;
    }
  });
  // A later change that works takes the message away (not a poll's GET every second); so does its Close button.
  document.addEventListener("htmx:afterRequest", function (event) {
    var box = requestError(), config = event.detail.requestConfig;
    if (box && event.detail.successful && config && config.verb !== "get") box.replaceChildren();
  });
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-close-request-error]") : null;
    var box = requestError();
    if (button && box) box.replaceChildren();
  });
  // No answer at all (the connection dropped, the server is down): say so rather than nothing.
  document.addEventListener("htmx:sendError", function () {
    var box = requestError();
    if (!box) return;
    var banner = document.createElement("div"), title = document.createElement("strong"),
        close = document.createElement("button");
    banner.className = "banner banner-error";
    banner.setAttribute("role", "alert");
    title.textContent = "The console did not answer.";
    close.type = "button";
    close.className = "small";
    close.setAttribute("data-close-request-error", "");
    close.textContent = "Close";
    banner.append(title, " Check your connection, then reload the page to see where things stand. ", close);
    box.replaceChildren(banner);
  });

  document.addEventListener("DOMContentLoaded", function () { addBreaks(document); });
  document.addEventListener("htmx:load", function (event) { addBreaks(event.detail && event.detail.elt); });
})();
