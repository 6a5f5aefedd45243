// The ledgers' print button. Printing needs no script (the print style sheet
// leaves out the navigation and the filters); the button only saves looking
// for the browser's menu, so it stays hidden where scripts do not run.
(function () {
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () { window.print(); });
  }
})();
