// The residents' report form (/report) and the map of open reports
// (/report/map). The form works without this script; with it the chosen
// problem type shows its own questions, the services can be searched,
// the photos are previewed (at most three), a tap on the map or "use my
// position" (asked only when tapped) or a building search sets the place,
// and before sending the open reports of the same kind nearby are offered
// for "me too". Nothing from the server is parsed as HTML: every text is
// set with textContent.
(function () {
  "use strict";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function messages(root) {
    var m = {};
    var box = root.querySelector("[data-report-msg]");
    if (box) Array.prototype.forEach.call(box.querySelectorAll("[data-k]"), function (s) { m[s.getAttribute("data-k")] = s.textContent; });
    return function (k, n) { return (m[k] || k).replace("{n}", n === undefined ? "" : n); };
  }

  // whenMap calls fn with the Leaflet map map.js made of node, once made.
  function whenMap(node, fn) {
    if (node.wanggeMap) return fn(node.wanggeMap);
    var tries = 0, t = setInterval(function () {
      if (node.wanggeMap || ++tries > 100) {
        clearInterval(t);
        if (node.wanggeMap) fn(node.wanggeMap);
      }
    }, 50);
  }

  function form(f) {
    var page = f.closest("[data-page]");
    var msg = messages(page);
    var lng = f.querySelector("[data-lng]"), lat = f.querySelector("[data-lat]"), grid = f.querySelector("[data-grid]");
    var said = f.querySelector("[data-place-said]"), address = f.querySelector("[data-address]");

    // The chosen problem type's questions; the others' are not sent.
    function showAttrs() {
      var c = f.querySelector("input[name=category]:checked");
      Array.prototype.forEach.call(f.querySelectorAll("[data-attrs-for]"), function (box) {
        var on = !!c && box.getAttribute("data-attrs-for") === c.value;
        box.hidden = !on;
        Array.prototype.forEach.call(box.querySelectorAll("select, input"), function (i) {
          i.disabled = !on;
          if (i.hasAttribute("data-required")) i.required = on;
        });
      });
    }
    f.addEventListener("change", function (e) {
      if (e.target.name === "category") { showAttrs(); checked = false; }
    });
    showAttrs();

    // The hundred services, searched by name or line.
    var search = f.querySelector("[data-service-search]");
    if (search) {
      search.addEventListener("input", function () {
        var q = search.value.trim().toLowerCase(), shown = 0;
        Array.prototype.forEach.call(f.querySelectorAll("[data-service]"), function (li) {
          var on = !q || li.getAttribute("data-service").toLowerCase().indexOf(q) >= 0;
          li.hidden = !on;
          if (on) shown++;
        });
        f.querySelector("[data-service-none]").hidden = shown > 0;
      });
    }

    // Photos: a preview of each, at most the form's number, each removable.
    var photos = f.querySelector("[data-photos]");
    var previews = f.querySelector("[data-previews]"), tooMany = f.querySelector("[data-photo-error]");
    function drawPreviews() {
      previews.textContent = "";
      Array.prototype.forEach.call(photos.files, function (file, i) {
        var box = el("div", "report-preview"), img = el("img");
        img.alt = file.name;
        var rd = new FileReader();
        rd.onload = function () { img.src = rd.result; };
        rd.readAsDataURL(file);
        var rm = el("button", "button", msg("remove"));
        rm.type = "button";
        rm.addEventListener("click", function () { keep(function (_, j) { return j !== i; }); });
        box.appendChild(img);
        box.appendChild(rm);
        previews.appendChild(box);
      });
    }
    function keep(pred) {
      var dt = new DataTransfer();
      Array.prototype.forEach.call(photos.files, function (file, j) { if (pred(file, j)) dt.items.add(file); });
      photos.files = dt.files;
      drawPreviews();
    }
    if (photos && previews && window.DataTransfer) {
      photos.addEventListener("change", function () {
        var max = parseInt(photos.getAttribute("data-photos"), 10) || 3;
        tooMany.hidden = photos.files.length <= max;
        if (photos.files.length > max) keep(function (_, j) { return j < max; });
        else drawPreviews();
      });
    }

    // The place.
    var mapNode = f.querySelector("[data-pick]"), marker = null;
    function setPoint(p) {
      lng.value = p.lng.toFixed(7);
      lat.value = p.lat.toFixed(7);
      grid.value = "";
      said.textContent = msg("place_point");
      checked = false;
      if (mapNode) whenMap(mapNode, function (map) {
        if (marker) marker.remove();
        marker = L.circleMarker([p.lat, p.lng], { radius: 12, color: "#e00000", weight: 4, fillOpacity: 0.2, className: "tap" }).addTo(map);
      });
      fetch("/api/v1/locate?lng=" + lng.value + "&lat=" + lat.value)
        .then(function (r) {
          if (r.status === 404) return null;
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (a) {
          said.textContent = a && a.grid_name ? msg("place_point") + " · " + a.grid_name : msg("place_outside");
          said.setAttribute("data-grid-found", a && a.grid_code ? a.grid_code : "");
        })
        .catch(function () {});
    }
    if (mapNode) {
      mapNode.addEventListener("map:pick", function (e) { setPoint(e.detail); });
      if (lng.value && lat.value) setPoint({ lng: parseFloat(lng.value), lat: parseFloat(lat.value) });
    }
    var locate = f.querySelector("[data-locate]");
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (pos) {
          var p = { lng: pos.coords.longitude, lat: pos.coords.latitude };
          setPoint(p);
          if (mapNode) whenMap(mapNode, function (map) { map.setView([p.lat, p.lng], Math.max(map.getZoom(), 16)); });
        }, function () {
          f.querySelector("[data-locate-failed]").hidden = false;
        }, { enableHighAccuracy: true, timeout: 15000 });
      });
    }
    var list = f.querySelector("[data-places-list]"), none = f.querySelector("[data-places-none]"), timer = null;
    if (address && list) {
      address.addEventListener("input", function () {
        clearTimeout(timer);
        grid.value = "";
        var q = address.value.trim();
        if (!q) { list.hidden = true; none.hidden = true; return; }
        timer = setTimeout(function () {
          fetch(f.getAttribute("data-places") + "?q=" + encodeURIComponent(q))
            .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
            .then(function (hits) {
              list.textContent = "";
              hits.forEach(function (h) {
                var li = el("li"), b = el("button", "", h.label + " · " + h.grid_name);
                b.type = "button";
                b.setAttribute("data-place-hit", h.grid_code);
                b.addEventListener("click", function () {
                  address.value = h.address;
                  grid.value = h.grid_code;
                  lng.value = "";
                  lat.value = "";
                  if (marker) { marker.remove(); marker = null; }
                  said.textContent = h.address;
                  list.hidden = true;
                  checked = false;
                });
                li.appendChild(b);
                list.appendChild(li);
              });
              list.hidden = hits.length === 0;
              none.hidden = hits.length > 0;
            })
            .catch(function () {});
        }, 250);
      });
    }

    // Before sending: the open reports of the same kind within a few
    // hundred metres, each with "me too".
    var box = f.querySelector("[data-nearby-box]"), nearby = f.querySelector("[data-nearby-list]");
    var follow = page.querySelector("[data-follow-form]"), checked = false, sending = false;
    f.querySelector("[data-send-anyway]").addEventListener("click", function () {
      checked = true;
      box.hidden = true;
      f.requestSubmit();
    });
    f.addEventListener("submit", function (e) {
      if (sending) { e.preventDefault(); return; }
      var c = f.querySelector("input[name=category]:checked");
      if (checked || !c || !lng.value || !lat.value) {
        sending = true;
        return;
      }
      e.preventDefault();
      var url = f.getAttribute("data-nearby") + "?category=" + encodeURIComponent(c.value) + "&lng=" + lng.value + "&lat=" + lat.value;
      fetch(url)
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (cases) {
          checked = true;
          if (!cases.length) { f.requestSubmit(); return; }
          nearby.textContent = "";
          cases.forEach(function (nc) {
            var li = el("li");
            li.setAttribute("data-nearby-case", nc.number);
            li.appendChild(el("p", "", nc.category + " · " + nc.number + " · " + msg("metres", nc.distance_m)));
            li.appendChild(el("p", "", nc.description));
            li.appendChild(el("p", "muted", nc.reported + (nc.followers ? " · " + msg("followers", nc.followers) : "")));
            var b = el("button", "button button-primary button-wide", msg("me_too"));
            b.type = "button";
            b.setAttribute("data-me-too", nc.number);
            b.addEventListener("click", function () {
              follow.action = "/report/" + encodeURIComponent(nc.number) + "/follow";
              follow.querySelector("input[name=phone]").value = f.querySelector("[data-follow-phone]").value || (f.querySelector("#phone") || {}).value || "";
              follow.submit();
            });
            li.appendChild(b);
            nearby.appendChild(li);
          });
          box.hidden = false;
          box.scrollIntoView({ block: "start" });
        })
        .catch(function () { checked = true; f.requestSubmit(); });
    });
  }

  // The map of open reports: points over the grids, each with its
  // category, state, number and the masked description.
  function reportsMap(node) {
    var page = node.closest("[data-page]"), msg = messages(page), count = page.querySelector("[data-reports-count]");
    whenMap(node, function (map) {
      fetch(node.getAttribute("data-reports"), { headers: { Accept: "application/geo+json, application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (fc) {
          var n = 0;
          (fc.features || []).forEach(function (f) {
            var p = f.properties || {}, c = f.geometry && f.geometry.coordinates;
            if (!c) return;
            n++;
            var box = el("div", "map-card");
            box.appendChild(el("strong", "", p.category_name));
            box.appendChild(el("div", "", p.state + " · " + p.number));
            box.appendChild(el("p", "", p.description));
            L.circleMarker([c[1], c[0]], { radius: 8, color: "#b3261e", weight: 3, fillColor: "#fff", fillOpacity: 1, className: "report-marker" })
              .bindPopup(box).addTo(map);
          });
          node.setAttribute("data-reports-count", n);
          count.textContent = n ? msg("count", n) : msg("none");
        })
        .catch(function () {});
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-report-form]"), form);
    Array.prototype.forEach.call(document.querySelectorAll("[data-reports]"), reportsMap);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
