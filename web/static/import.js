// The page of a running import polls its status, moves the progress bar
// and reloads when the import is done (the server renders the report).
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-import-status");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var format = text ? text.getAttribute("data-format") : "";
  var running = { queued: true, checking: true, committing: true };
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (!running[s.state]) {
          window.location.reload();
          return;
        }
        if (s.total > 0) {
          bar.max = s.total;
          bar.value = Math.min(s.done, s.total);
        }
        if (text && format) {
          text.textContent = format.replace("{done}", s.done).replace("{total}", s.total > 0 ? s.total : "…");
        }
        window.setTimeout(poll, 700);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
})();
