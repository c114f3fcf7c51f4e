/* Match review: keyboard-first. j/k move between leads, a accept the best suggestion,
 * r reject it, x select for bulk accept, Shift+A accept the selection, p pick another
 * account, n create an account. Works without this file (plain forms). */
(function () {
  "use strict";
  var current = -1;
  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll(".lead-card:not([data-decided])"));
  }
  function focus(i) {
    var list = cards();
    if (!list.length) return;
    current = Math.max(0, Math.min(i, list.length - 1));
    list.forEach(function (c) { c.classList.remove("is-selected"); });
    list[current].classList.add("is-selected");
    list[current].focus({ preventScroll: true });
    list[current].scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  function countSelected() {
    var n = document.querySelectorAll("input[data-bulk]:checked").length;
    var out = document.getElementById("bulk-count");
    if (out) out.textContent = n ? "(" + n + ")" : "";
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("input[data-bulk]")) countSelected();
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    var list = cards();
    if (list.length) focus(Math.min(current, list.length - 1));
    countSelected();
  });
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey) return;
    if (e.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
    var list = cards();
    if (!list.length) return;
    if (e.key === "j") { e.preventDefault(); focus(current + 1); return; }
    if (e.key === "k") { e.preventDefault(); focus(current - 1); return; }
    if (e.key === "A" && e.shiftKey) {
      e.preventDefault();
      var submit = document.getElementById("bulk-submit");
      if (submit && document.querySelectorAll("input[data-bulk]:checked").length) submit.click();
      return;
    }
    if (current < 0) focus(0);
    var card = cards()[current];
    if (!card) return;
    var key = e.key.toLowerCase();
    if (key === "x") {
      var box = card.querySelector("input[data-bulk]");
      if (box) { e.preventDefault(); box.checked = !box.checked; countSelected(); }
      return;
    }
    var target = card.querySelector('[data-key="' + key + '"]');
    if (!target) return;
    e.preventDefault();
    if (target.tagName === "SUMMARY") {
      var details = target.parentElement;
      details.open = true;
      var field = details.querySelector("input[type=search], input[name=name]");
      if (field) field.focus();
    } else {
      target.click();
    }
  });
})();
