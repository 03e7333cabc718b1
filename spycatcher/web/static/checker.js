// The checker pages: warn before uploading a file larger than the server accepts. The server
// checks every size itself; this only saves a member a long upload that would be refused.
(function () {
  "use strict";

  function mib(n) { return (n / 1048576).toFixed(1) + " MiB"; }

  document.addEventListener("change", function (ev) {
    var input = ev.target;
    if (!input || input.type !== "file" || !input.hasAttribute("data-max-bytes")) return;
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var form = input.form;
    var warning = form && form.querySelector(".size-warning");
    var file = input.files && input.files[0];
    var tooBig = !!(file && max && file.size > max);
    if (warning) {
      warning.hidden = !tooBig;
      warning.textContent = tooBig
        ? "That file is " + mib(file.size) + "; the limit is " + mib(max) + ". Choose a smaller file."
        : "";
    }
    input.setCustomValidity(tooBig ? "File too large" : "");
  });
})();
