// The analyst console: keyboard work on the queue and the decision form. The pages work without
// it; app.js already maps data-shortcut keys (c, x, f, g, n, e, r, j, k, q) and "?".
(function () {
  "use strict";

  function typing(target) {
    var t = target && target.tagName;
    return t === "INPUT" || t === "TEXTAREA" || t === "SELECT" || (target && target.isContentEditable);
  }

  // Queue: j / k move a highlighted row (and focus its case link); Enter follows the link.
  var table = document.getElementById("queue");
  if (table) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var current = -1;
    var select = function (i) {
      if (!rows.length) return;
      i = Math.max(0, Math.min(rows.length - 1, i));
      if (current >= 0) rows[current].classList.remove("current");
      current = i;
      rows[i].classList.add("current");
      var link = rows[i].querySelector("a.case-link");
      if (link) link.focus();
      rows[i].scrollIntoView({ block: "nearest" });
    };
    rows.forEach(function (row, i) {
      row.addEventListener("focusin", function () {
        if (current >= 0 && current !== i) rows[current].classList.remove("current");
        current = i;
        row.classList.add("current");
      });
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
      if (ev.key === "j") { select(current + 1); ev.preventDefault(); }
      else if (ev.key === "k") { select(current < 0 ? 0 : current - 1); ev.preventDefault(); }
    });
  }

  // Case page: choosing a decision moves to the reason; fake and genuine close the case, so
  // they ask for confirmation (app.js reads data-confirm); Ctrl+Enter in the reason submits.
  var form = document.getElementById("decide-form");
  if (form) {
    var reason = document.getElementById("reason");
    var action = document.getElementById("action");
    var sync = function (focus) {
      var chosen = form.querySelector('input[name="decision"]:checked');
      var value = chosen ? chosen.value : "";
      if (action) action.disabled = value !== "fake";
      if (value === "fake") {
        form.setAttribute("data-confirm", "Record this profile as FAKE and send the action to the platform?");
      } else if (value === "genuine") {
        form.setAttribute("data-confirm", "Record this profile as GENUINE and close the case?");
      } else {
        form.removeAttribute("data-confirm");
      }
      if (focus && reason) reason.focus();
    };
    form.addEventListener("change", function (ev) {
      if (ev.target && ev.target.name === "decision") sync(true);
    });
    sync(false);
    if (reason) {
      reason.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
          ev.preventDefault();
          if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        }
      });
    }
  }
})();
