// The kiosk returns to its start page after a while without a touch, so the
// next resident finds a clean screen.
(function () {
  var target = document.body.getAttribute("data-idle-reset");
  if (!target) return;
  var idleMs = 90 * 1000, timer;
  function reset() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (location.pathname + location.search !== target) location.href = target;
    }, idleMs);
  }
  ["pointerdown", "keydown", "touchstart", "scroll"].forEach(function (e) {
    document.addEventListener(e, reset, { passive: true });
  });
  reset();
})();
