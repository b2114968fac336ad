/* Staged table and forms: keyboard focus across htmx swaps, select-all, save-on-leave selects.
   Loaded on every page (no inline scripts: the Content-Security-Policy forbids them). */
(function () {
  "use strict";

  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]):not([hidden]), select:not([disabled]), textarea:not([disabled])";
  // What had focus when each request started, kept on its XMLHttpRequest: a page's own hx-trigger="load"
  // request settling late must not use (and lose) what a later click remembered.
  function remember(event, key) { if (event.detail.xhr) event.detail.xhr.focusWas = key; }
  function recalled(event) { return event.detail.xhr ? event.detail.xhr.focusWas || null : null; }

  document.documentElement.classList.add("js");

  /* A name for the focused control that survives a swap: its id, or its row and its role in the row. */
  function focusKey(el) {
    var row = el.closest("tr[id]");
    return {
      id: el.id || null,
      row: row ? row.id : null,
      key: el.getAttribute("data-focus-key") || el.getAttribute("name") || null,
      editing: !!(row && row.classList.contains("editing")),
      after: el.getAttribute("data-focus-after") || null
    };
  }

  function firstControl(scope) {
    if (!scope) return null;
    var found = scope.querySelectorAll(FOCUSABLE);
    for (var i = 0; i < found.length; i++) {
      if (found[i].offsetParent !== null) return found[i];
    }
    return null;
  }

  // A staged row that is not being edited marks a refused account type too: no form came back with errors there.
  function firstInError(scope) {
    var found = scope.querySelectorAll("[aria-invalid=true]");
    for (var i = 0; i < found.length; i++) {
      if (!found[i].closest("#staged-table tbody tr:not(.editing)")) return found[i];
    }
    return null;
  }

  function focusOn(el) {
    if (!el) return false;
    el.focus();
    if (document.activeElement !== el) return false;
    // htmx may have put focus back on it already, without scrolling, while the page was scrolled away by the swap
    // (zoomed in, Apply to rows ended up a screen above what was shown): bring it into view.
    var box = el.getBoundingClientRect();
    if (box.bottom < 0 || box.top > window.innerHeight) el.scrollIntoView({block: "center"});
    return true;
  }

  function restoreFocus(target, was) {
    if (!was) return;
    var row = was.row ? document.getElementById(was.row) : null;
    if (row && row.classList.contains("editing")) {
      // An opened or saved row starts at its first field in error, else at its first name.
      focusOn(firstInError(row) || row.querySelector("input[name=first_name]"));
      return;
    }
    if (was.after === "next-row" && row) {
      var next = row.nextElementSibling;
      while (next && !firstControl(next)) next = next.nextElementSibling;
      if (focusOn(firstControl(next))) return;
      if (focusOn(firstControl(row))) return;
    }
    // Leaving an edit (saved or cancelled) goes back to the row's Edit link.
    if ((was.after === "edit" || was.editing) && row && focusOn(row.querySelector("[data-focus-key=edit]"))) return;
    if (was.id && focusOn(document.getElementById(was.id))) return;
    if (row && was.key && focusOn(row.querySelector("[data-focus-key='" + was.key + "'], [name='" + was.key + "']"))) return;
    if (row && focusOn(firstControl(row))) return;
    // A target swapped outerHTML is gone: look in its replacement (same id), not from the top of the page
    // (focus fell back to "Skip to content", scrolling the page up, after Next below the staged table).
    var scope = target && target.isConnected ? target : (target && target.id && document.getElementById(target.id)) || document;
    if (!row && was.key && focusOn(scope.querySelector("[data-focus-key='" + was.key + "']"))) return;
    // The last page has no Next, the first no Previous: stay on the pager, on the link going the other way.
    var partner = {"next-page": "previous-page", "last-page": "previous-page",
                   "previous-page": "next-page", "first-page": "next-page"}[was.key];
    if (partner && focusOn(scope.querySelector("[data-focus-key='" + partner + "']"))) return;
    if (focusOn(scope.querySelector("[data-focus-fallback]"))) return;
    focusOn(firstControl(scope));
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    var source = event.detail.elt;
    // A click on a button submits its form: remember the button, not the form.
    var el = active && active !== document.body ? active : source;
    // A request nobody triggered (hx-trigger="load", polling) follows focus only when it is inside what is
    // replaced: otherwise it would pull the keyboard into the new fragment as the page opens.
    var triggered = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (!triggered) {
      var target = event.detail.target;
      remember(event, active && active !== document.body && target && target.contains(active) ? focusKey(active) : null);
      return;
    }
    remember(event, el ? focusKey(el) : null);
    if (el && source && source.tagName === "FORM" && el.form !== source && !source.contains(el)) {
      remember(event, focusKey(source));
    }
  });

  // Focus may have moved while the request was out (Tab away from a select saves it on blur):
  // follow it when it is still inside what is being replaced, and leave it alone when it went elsewhere.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var target = event.detail.target;
    var was = recalled(event);
    if (!was || was.after || !active || active === document.body || !target) return;
    remember(event, target.contains(active) ? focusKey(active) : null);
  });

  // An open row's problems sit on a line of their own under it (tr.editing-problems): when the row is swapped
  // (saved, cancelled, opened again), a line no longer right under its own open row goes. The open row is known by
  // its edit form's boxes, not its class: while a swapped-in row settles it wears the attributes of the row it
  // replaced, and another swap (the changes panel) may settle meanwhile.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("#staged-table tr.editing-problems").forEach(function (line) {
      var above = line.previousElementSibling;
      var open = above && above.querySelector("[form^='edit-']");
      if (!above || above.id !== line.getAttribute("data-problems-of") || !open) {
        line.remove();
      }
    });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target || event.detail.elt;
    wire(document);
    var invalid = target && target.isConnected ? firstInError(target) : null;
    if (invalid) { invalid.focus(); return; }
    restoreFocus(target, recalled(event));
  });

  /* Selects marked data-save-on-leave: arrows move through the choices, the row saves once. */
  function wireSaveOnLeave(select) {
    if (select.dataset.wired) return;
    select.dataset.wired = "1";
    var saved = select.value;
    var byPointer = false;
    function save() {
      if (select.value === saved) return;
      saved = select.value;
      if (window.htmx) window.htmx.trigger(select, "save-choice");
    }
    select.addEventListener("pointerdown", function () { byPointer = true; });
    select.addEventListener("keydown", function (event) {
      byPointer = false;
      if (event.key === "Enter") { event.preventDefault(); save(); }
      // Escape takes back a choice reached with the arrows and not saved yet, as it cancels an edit.
      if (event.key === "Escape" && select.value !== saved) { event.preventDefault(); select.value = saved; }
    });
    // A choice picked with the mouse is final; one reached with the arrow keys waits for blur or Enter.
    select.addEventListener("change", function () { if (byPointer) save(); });
    select.addEventListener("blur", save);
  }

  function wireSelectAll(box) {
    if (box.dataset.wired) return;
    box.dataset.wired = "1";
    box.hidden = false;
    box.addEventListener("change", function () {
      var table = box.closest("table") || document;
      table.querySelectorAll("input[name=row]").forEach(function (c) { c.checked = box.checked; });
    });
  }

  /* Escape in a row being edited does what its Cancel link (data-cancel-edit) does: the row comes back as it
     was, unsaved, and focus returns to its Edit link (restoreFocus, as the swap settles). */
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented || event.isComposing) return;
    var row = event.target instanceof Element ? event.target.closest("tr.editing") : null;
    var cancel = row && !row.hasAttribute("data-cancelling") ? row.querySelector("a[data-cancel-edit]") : null;
    if (!cancel) return;
    event.preventDefault();
    row.setAttribute("data-cancelling", "");  // a second Escape while the row is on its way asks for nothing more
    cancel.click();
  });

  function wire(scope) {
    scope.querySelectorAll("select[data-save-on-leave]").forEach(wireSaveOnLeave);
    scope.querySelectorAll("input[data-select-all]").forEach(wireSelectAll);
  }

  document.addEventListener("DOMContentLoaded", function () {
    wire(document);
    // After a form comes back with errors, start at the first field in error.
    var invalid = firstInError(document);
    if (invalid) invalid.focus();
  });
})();
