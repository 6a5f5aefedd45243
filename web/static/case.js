// The case pages. On the register form: the chosen category's materials
// as checkboxes (an application's list), and "what was done" shown only
// where the case is registered handled (the general mechanism). On a
// case's page: the pin of where the problem is, on the grid's map that
// map.js draws. Everything works without it; it only saves taps.
//
// Names of materials come from the catalogue and are set as text, never
// parsed as HTML.
(function () {
  "use strict";

  function el(tag, text) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function form(f) {
    var cat = f.querySelector("[data-category]");
    var box = f.querySelector("[data-materials-box]");
    var list = f.querySelector("[data-materials-list]");
    var done = f.querySelector("[data-done]");
    if (!cat) return;

    function chosen() {
      return cat.options[cat.selectedIndex] || null;
    }
    function mechanism() {
      var m = f.querySelector("input[name=mechanism]:checked");
      if (m && m.value) return m.value;
      var o = chosen();
      return o ? o.getAttribute("data-mechanism") || "" : "";
    }
    function materials() {
      var o = chosen();
      var names = o && o.getAttribute("data-materials") ? o.getAttribute("data-materials").split("；") : [];
      var ticked = {};
      Array.prototype.forEach.call(list.querySelectorAll("input:checked"), function (i) { ticked[i.value] = true; });
      while (list.firstChild) list.removeChild(list.firstChild);
      names.forEach(function (n) {
        var label = el("label");
        label.className = "choice";
        var input = el("input");
        input.type = "checkbox";
        input.name = "materials";
        input.value = n;
        input.checked = !!ticked[n];
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + n));
        list.appendChild(label);
      });
      box.hidden = names.length === 0 || mechanism() !== "approval";
    }
    function general() {
      // Keep "what was done" visible while it holds text or an error.
      var typed = done.querySelector("textarea").value.trim() !== "" || done.querySelector(".field-error");
      done.hidden = !typed && mechanism() !== "general";
    }
    function update() {
      materials();
      general();
    }
    cat.addEventListener("change", update);
    Array.prototype.forEach.call(f.querySelectorAll("input[name=mechanism]"), function (i) {
      i.addEventListener("change", update);
    });
    update();
  }

  function pin(node) {
    var lng = parseFloat(node.getAttribute("data-lng")), lat = parseFloat(node.getAttribute("data-lat"));
    if (isNaN(lng) || isNaN(lat) || typeof L === "undefined") return;
    var tries = 0;
    (function add() {
      var map = node.wanggeMap;
      if (!map) {
        if (++tries < 50) setTimeout(add, 100);
        return;
      }
      L.circleMarker([lat, lng], { radius: 9, color: "#b00020", weight: 3, fillColor: "#fff", fillOpacity: 1, className: "case-pin" }).addTo(map);
      map.setView([lat, lng], 17);
      // map.js fits the grid's outline once it has loaded; the pin is
      // what this page is about, so it stays in the middle.
      map.once("zoomend moveend", function () { map.setView([lat, lng], Math.max(map.getZoom(), 16)); });
    })();
  }

  // Typing an outside party's name in a dispatch means sending it there.
  Array.prototype.forEach.call(document.querySelectorAll("details[data-action=dispatch] input[name=outside]"), function (i) {
    i.addEventListener("input", function () {
      var r = i.form.querySelector("input[name=receiver][value=" + (i.value.trim() ? "outside" : "department") + "]");
      if (r) r.checked = true;
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-case-form]"), form);
  Array.prototype.forEach.call(document.querySelectorAll("[data-case-pin]"), pin);
})();
