// spycatcher pages: small progressive enhancements. Every page works without this file.
// No inline scripts anywhere (the Content-Security-Policy forbids them); behaviour is attached
// here through data- attributes.
(function () {
  "use strict";

  function typing(target) {
    var t = target && target.tagName;
    return t === "INPUT" || t === "TEXTAREA" || t === "SELECT" || (target && target.isContentEditable);
  }

  // Keyboard shortcuts: an element with data-shortcut="x" is clicked (or focused, for text fields)
  // when "x" is pressed outside a text field. "?" lists the shortcuts of the page.
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    if (ev.key === "?") {
      var help = document.getElementById("shortcuts");
      if (help) { help.hidden = !help.hidden; if (!help.hidden) help.focus(); ev.preventDefault(); }
      return;
    }
    var el = document.querySelector('[data-shortcut="' + CSS.escape(ev.key) + '"]');
    if (!el) return;
    ev.preventDefault();
    var choice = el.type === "radio" || el.type === "checkbox";  // chosen, not typed into
    if (typing(el) && !choice) { el.focus(); } else { el.click(); }
  });

  // Confirmations: a form with data-confirm="question" asks before it is sent.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var q = form && form.getAttribute && form.getAttribute("data-confirm");
    if (q && !window.confirm(q)) ev.preventDefault();
  });

  // Filters: a select with data-autosubmit sends its form when changed.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
  });
})();
