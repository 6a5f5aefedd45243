// Maps: every element with data-map="URL" becomes a Leaflet map of the
// GeoJSON at URL. Grids are drawn as vectors on a plain background, so the
// map needs no tile server; data-tiles="template" adds tiles underneath.
//
// Features carry a "kind": outline, community, grid, gap, overlap, outside, building,
// stray (map.geojson of an area page), street (/kiosk/map.geojson); features
// without one are grids (/api/v1/grids.geojson). Communities, streets and
// grids are labelled where the label fits and does not cover another. On a
// staff map a click on a grid opens its card; on the kiosk (data-kiosk) a tap
// anywhere asks /api/v1/locate which grid holds that point and asks "is this
// your home?" before opening the grid's page; data-here-lng/-lat mark where
// the kiosk stands. data-pick="FORM" (the held requests' page) does what
// data-pick does and fills that form's lng and lat too, asks /api/v1/locate
// for the grid and shows it, and enables the form's button only inside a
// grid.
//
// No content from the data is ever parsed as HTML: labels and cards are
// built with textContent.
(function () {
  "use strict";
  var palette = ["#8dd3c7", "#bebada", "#80b1d3", "#fdb462", "#b3de69", "#fccde5"];
  var red = "#e00000", darkRed = "#9e0020", orange = "#f28e00";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function styleOf(f) {
    var p = f.properties || {};
    switch (p.kind) {
      case "outline":
        return { color: "#1f2d3d", weight: 3, fill: false, interactive: false, className: "map-outline" };
      case "community":
        return { color: "#1f2d3d", weight: 2, fill: false, interactive: false, className: "map-community" };
      case "street":
        return { color: "#d98c1f", weight: 5, opacity: 0.85, interactive: false, className: "street" };
      case "gap":
        return { color: red, weight: 2, fillColor: red, fillOpacity: 0.75, className: "problem problem-gap" };
      case "overlap":
        return { color: darkRed, weight: 2, fillColor: darkRed, fillOpacity: 0.75, className: "problem problem-overlap" };
      case "outside":
        return { color: orange, weight: 2, fillColor: orange, fillOpacity: 0.6, className: "problem problem-outside" };
      case "building":
      case "stray":
        return {}; // pointOf styles them
      default:
        var c = typeof p.colour === "number" ? p.colour : hash(p.code || "") % palette.length;
        return { color: p.selected ? "#1f2d3d" : "#4a6278", weight: p.selected ? 3 : 1, fillColor: palette[c % palette.length],
          fillOpacity: 0.45, className: "grid" + (p.selected ? " grid-selected" : "") };
    }
  }

  function hash(s) {
    var h = 0;
    for (var i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
    return Math.abs(h);
  }

  function pointOf(f, latlng) {
    var p = f.properties || {};
    if (p.kind === "stray") {
      return L.circleMarker(latlng, { radius: 8, color: red, weight: 3, fillColor: "#fff", fillOpacity: 1, className: "stray" });
    }
    return L.circleMarker(latlng, { radius: 4, color: "#263238", weight: 1, fillColor: "#37474f", fillOpacity: 0.9, className: "building" });
  }

  function card(c) {
    var box = el("div", "map-card");
    box.appendChild(el("strong", "map-card-name", c.name));
    var dl = el("dl", "map-card-stats");
    function row(label, value) {
      dl.appendChild(el("dt", "", label));
      dl.appendChild(el("dd", "", value));
    }
    if (c.assistant) {
      row(c.labels.Assistant, c.assistant + (c.work_phone ? " · " + c.work_phone : ""));
    } else {
      row(c.labels.Assistant, c.labels.NoAssistant);
    }
    row(c.labels.Buildings, c.buildings);
    row(c.labels.Households, c.households);
    row(c.labels.Persons, c.persons);
    row(c.labels.Units, c.units);
    (c.groups || []).forEach(function (g) {
      if (g.count) row(g.name, g.count);
    });
    box.appendChild(dl);
    if (c.url) {
      var a = el("a", "button", c.labels.Open);
      a.href = c.url;
      box.appendChild(a);
    }
    return box;
  }

  function init(node) {
    var kiosk = node.hasAttribute("data-kiosk");
    // data-pick: a tap anywhere is a place chosen (the residents' report
    // form), announced as a "map:pick" event with lng and lat; the grids
    // are only the background then.
    if (node.hasAttribute("data-pick")) kiosk = "pick";
    var map = L.map(node, { zoomSnap: 0.25, attributionControl: !!node.dataset.tiles, tap: true, zoomControl: false });
    // On a phone the zoom buttons go to the bottom right, out of the way of
    // the card that opens over a grid; popups keep clear of them (below).
    var phone = window.matchMedia && window.matchMedia("(max-width: 40em)").matches;
    L.control.zoom({ position: phone ? "bottomright" : "topleft" }).addTo(map);
    map.wanggePopupPadding = phone ? { autoPanPaddingTopLeft: [8, 8], autoPanPaddingBottomRight: [8, 96] }
      : { autoPanPaddingTopLeft: [56, 8], autoPanPaddingBottomRight: [8, 8] };
    node.wanggeMap = map;
    if (node.dataset.tiles) {
      L.tileLayer(node.dataset.tiles, { maxZoom: 19 }).addTo(map);
    } else {
      node.classList.add("map-plain");
    }
    map.setView([0, 0], 2);
    var status = el("p", "map-status", node.dataset.labelLoading || "…");
    node.parentNode.insertBefore(status, node.nextSibling);

    fetch(node.dataset.map, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (fc) {
        draw(node, map, fc, kiosk);
        status.remove();
      })
      .catch(function () {
        status.textContent = node.dataset.labelFailed || "Map failed to load";
        status.classList.add("notice");
      });
  }

  function draw(node, map, fc, kiosk) {
    var pick = node.dataset.pick ? document.getElementById(node.dataset.pick) : null;
    var order = { outline: 0, grid: 1, community: 2, street: 3, outside: 4, overlap: 5, gap: 6, building: 7, stray: 8 };
    var feats = (fc.features || []).slice().sort(function (a, b) {
      return (order[(a.properties || {}).kind || "grid"] || 0) - (order[(b.properties || {}).kind || "grid"] || 0);
    });
    var counts = {}, grids = [], communities = [], streets = [], outline = null, selected = null;
    var layer = L.geoJSON(feats, {
      style: styleOf,
      pointToLayer: pointOf,
      interactive: !kiosk,
      onEachFeature: function (f, l) {
        var p = f.properties || {}, kind = p.kind || "grid";
        counts[kind] = (counts[kind] || 0) + 1;
        if (kind === "outline") outline = l;
        if (kind === "community" && p.name) {
          communities.push(l);
          l.bindTooltip(el("span", "", p.name), { permanent: true, direction: "center", className: "community-label", interactive: false });
        }
        if (kind === "street" && f.geometry && f.geometry.type === "MultiLineString") {
          // A label on each straight part, where it fits; north–south
          // parts are labelled top to bottom.
          f.geometry.coordinates.forEach(function (part) {
            var a = part[0], b = part[part.length - 1];
            var vertical = Math.abs(b[1] - a[1]) > Math.abs(b[0] - a[0]);
            var tip = L.tooltip({ permanent: true, direction: "center", interactive: false,
              className: "street-label" + (vertical ? " street-label-vertical" : "") })
              .setLatLng([(a[1] + b[1]) / 2, (a[0] + b[0]) / 2]).setContent(el("span", "", p.name));
            streets.push({ tip: tip, span: [a, b], vertical: vertical });
          });
        }
        if (kind === "grid") {
          grids.push(l);
          if (p.selected) selected = l;
          l.bindTooltip(el("span", "", p.label || p.name || p.code), { permanent: true, direction: "center", className: "grid-label", interactive: false });
          l.on("click", function (e) {
            if (e.tap || !recentTap(node)) openCard(map, l, p);
          });
        }
        if (kind === "gap" || kind === "overlap" || kind === "outside") l.bindTooltip(el("span", "", p.label));
        if (kind === "building" || kind === "stray") {
          var box = el("div", "map-card");
          box.appendChild(el("strong", "", p.name));
          if (p.households !== undefined) box.appendChild(el("div", "", p.households + " 户"));
          if (p.id) {
            var a = el("a", "", "→");
            a.href = "/buildings/" + p.id;
            box.appendChild(a);
          }
          l.bindPopup(box);
        }
      }
    }).addTo(map);
    var bounds = (selected || outline || layer).getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });

    streets.forEach(function (s) { s.tip.addTo(map); });

    // A label only where it fits and covers no label shown before it:
    // communities first, then streets, then grids. A grid narrower on
    // screen than its name shows no name until the map is zoomed in on it.
    function labels() {
      // The "you are here" label is placed first; a label must lie wholly
      // on the map.
      var box = node.getBoundingClientRect();
      var shown = Array.prototype.map.call(node.querySelectorAll(".here-label, .here-marker"), function (e) { return e.getBoundingClientRect(); });
      function place(elem, fits) {
        if (!elem) return;
        elem.classList.remove("grid-label-hidden");
        var r = elem.getBoundingClientRect();
        var inside = r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
        var ok = inside && fits(elem) && !shown.some(function (o) {
          return r.left < o.right && o.left < r.right && r.top < o.bottom && o.top < r.bottom;
        });
        elem.classList.toggle("grid-label-hidden", !ok);
        if (ok) shown.push(r);
      }
      function inBox(l) {
        return function (elem) {
          var b = l.getBounds(), ne = map.latLngToContainerPoint(b.getNorthEast()), sw = map.latLngToContainerPoint(b.getSouthWest());
          return elem.offsetWidth <= Math.abs(ne.x - sw.x) * 0.95 && elem.offsetHeight <= Math.abs(sw.y - ne.y) * 0.9;
        };
      }
      // A community's name may run a little over its outline: the names
      // matter more than the grids' and are kept apart by the overlap test.
      communities.forEach(function (l) {
        place(l.getTooltip() && l.getTooltip().getElement(), function (elem) {
          var b = l.getBounds(), ne = map.latLngToContainerPoint(b.getNorthEast()), sw = map.latLngToContainerPoint(b.getSouthWest());
          return elem.offsetWidth <= Math.abs(ne.x - sw.x) * 1.6 && elem.offsetHeight <= Math.abs(sw.y - ne.y);
        });
      });
      // A street's label sits in the middle of the part of it on screen.
      var view = map.getBounds();
      streets.forEach(function (s) {
        var c = clip(s.span, view);
        if (c) s.tip.setLatLng([(c[0][1] + c[1][1]) / 2, (c[0][0] + c[1][0]) / 2]);
        place(s.tip.getElement(), function (elem) {
          if (!c) return false;
          var a = map.latLngToContainerPoint([c[0][1], c[0][0]]), b = map.latLngToContainerPoint([c[1][1], c[1][0]]);
          var along = Math.hypot(a.x - b.x, a.y - b.y);
          return (s.vertical ? elem.offsetHeight : elem.offsetWidth) <= along * 0.9;
        });
      });
      grids.forEach(function (l) { place(l.getTooltip() && l.getTooltip().getElement(), inBox(l)); });
    }
    map.on("zoomend moveend", labels);

    if (kiosk === true) here(node, map, communities);
    labels();
    // Labels are measured: measure again once the fonts are in.
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(labels);

    if (kiosk === "pick") {
      onTap(node, map, function (latlng) {
        if (pick) pickAt(node, map, pick, latlng);
        node.dispatchEvent(new CustomEvent("map:pick", { detail: { lng: latlng.lng, lat: latlng.lat } }));
      }, true);
    } else if (kiosk) {
      onTap(node, map, function (latlng) { locate(node, map, latlng); }, true);
    } else {
      // A tap on a grid, building or problem acts as a click on it.
      var byElement = new Map();
      layer.eachLayer(function (l) { if (l.getElement) byElement.set(l.getElement(), l); });
      onTap(node, map, function (latlng, e) {
        var l = byElement.get(document.elementFromPoint(e.clientX, e.clientY));
        if (l) l.fire("click", { latlng: latlng, tap: true });
      }, false);
    }

    Object.keys(counts).forEach(function (k) { node.dataset["count" + k.charAt(0).toUpperCase() + k.slice(1)] = counts[k]; });
    node.dataset.ready = "1";
  }

  // clip returns the part of the segment [[lng, lat], [lng, lat]] inside
  // the bounds (Liang–Barsky), or null.
  function clip(seg, b) {
    var x0 = seg[0][0], y0 = seg[0][1], dx = seg[1][0] - x0, dy = seg[1][1] - y0, t0 = 0, t1 = 1;
    var p = [-dx, dx, -dy, dy], q = [x0 - b.getWest(), b.getEast() - x0, y0 - b.getSouth(), b.getNorth() - y0];
    for (var i = 0; i < 4; i++) {
      if (p[i] === 0) {
        if (q[i] < 0) return null;
        continue;
      }
      var t = q[i] / p[i];
      if (p[i] < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 > t1) return null;
    }
    return [[x0 + t0 * dx, y0 + t0 * dy], [x0 + t1 * dx, y0 + t1 * dy]];
  }

  // here marks where the kiosk stands and shows its community around it.
  function here(node, map, communities) {
    var lng = parseFloat(node.dataset.hereLng), lat = parseFloat(node.dataset.hereLat);
    if (isNaN(lng) || isNaN(lat)) return;
    var at = L.latLng(lat, lng);
    L.marker(at, { interactive: false, keyboard: false,
      icon: L.divIcon({ className: "here-marker", html: "", iconSize: [28, 28], iconAnchor: [14, 14] }) })
      .bindTooltip(el("span", "", node.dataset.labelHere || ""), { permanent: true, direction: "top", offset: [0, -14], className: "here-label" })
      .addTo(map);
    var around = null;
    communities.forEach(function (l) { if (!around && l.getBounds().contains(at)) around = l; });
    if (around) map.fitBounds(around.getBounds(), { padding: [12, 12], animate: false });
    map.setView(at, map.getZoom(), { animate: false });
  }

  function openCard(map, l, p) {
    var popup = L.popup(Object.assign({ maxWidth: 320 }, map.wanggePopupPadding)).setLatLng(l.getCenter()).setContent(el("div", "map-card", p.name)).openOn(map);
    fetch("/areas/" + encodeURIComponent(p.code) + "/card.json", { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (c) { popup.setContent(card(c)); })
      .catch(function () {});
  }

  // onTap calls fn with the point of a tap or click on the map, but not at
  // the end of a drag or pinch. Touch frames on kiosks do not all make the
  // browser synthesize a click from a tap, so a short touch that barely
  // moved counts as a tap itself, and the click that may follow is ignored.
  function onTap(node, map, fn, clicks) {
    var down = null;
    node.addEventListener("pointerdown", function (e) {
      down = e.isPrimary ? { x: e.clientX, y: e.clientY, t: Date.now(), type: e.pointerType } : null;
    });
    node.addEventListener("pointerup", function (e) {
      if (!down || e.pointerType === "mouse" || !e.isPrimary) return;
      var moved = Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y);
      if (moved < 12 && Date.now() - down.t < 600 && !isControl(e.target)) {
        node.lastTap = Date.now();
        fn(map.mouseEventToLatLng(e), e);
      }
      down = null;
    });
    if (clicks) {
      map.on("click", function (e) {
        if (!recentTap(node)) fn(e.latlng, e.originalEvent);
      });
    }
  }

  // recentTap: the click that follows a handled tap is the same touch.
  function recentTap(node) {
    return Date.now() - (node.lastTap || 0) < 800;
  }

  function isControl(t) {
    return t && t.closest && t.closest(".leaflet-control, .leaflet-popup");
  }

  // The kiosk: a tap anywhere on the map finds the grid that holds it and
  // asks whether that is the resident's home.
  // lookUp asks the server which grid holds latlng: its answer, or null
  // outside every grid.
  function lookUp(latlng) {
    return fetch("/api/v1/locate?lng=" + latlng.lng.toFixed(7) + "&lat=" + latlng.lat.toFixed(7)).then(function (r) {
      if (r.status === 404) return null;
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  function locate(node, map, latlng) {
    var out = document.getElementById("kiosk-tap-result");
    if (node.tapMarker) node.tapMarker.remove();
    node.tapMarker = L.circleMarker(latlng, { radius: 12, color: red, weight: 4, fillOpacity: 0.2, className: "tap" }).addTo(map);
    lookUp(latlng)
      .then(function (a) {
        if (a && a.grid_code) {
          if (out) out.hidden = true;
          confirmHome(node, a);
          keepInSight(node, map, latlng);
        } else if (out) {
          hideConfirm();
          out.textContent = node.dataset.labelOutside || "";
          out.hidden = false;
        }
      })
      .catch(function () {
        hideConfirm();
        if (out) {
          out.textContent = node.dataset.labelFailed || "";
          out.hidden = false;
        }
      });
  }

  // pickAt marks the tapped point, writes it into the form and shows the
  // grid that holds it; outside every grid the form cannot be sent.
  function pickAt(node, map, form, latlng) {
    var out = form.querySelector("[data-pick-result]"), button = form.querySelector("button[type=submit]");
    if (node.tapMarker) node.tapMarker.remove();
    node.tapMarker = L.circleMarker(latlng, { radius: 12, color: red, weight: 4, fillOpacity: 0.2, className: "tap" }).addTo(map);
    form.elements.lng.value = latlng.lng.toFixed(7);
    form.elements.lat.value = latlng.lat.toFixed(7);
    button.disabled = true;
    lookUp(latlng)
      .then(function (a) {
        if (a && a.grid_code) {
          out.textContent = [a.community_name, a.grid_name].filter(Boolean).join(" · ");
          out.dataset.grid = a.grid_code;
          button.disabled = false;
        } else {
          out.textContent = node.dataset.labelOutside || "";
          delete out.dataset.grid;
        }
      })
      .catch(function () { out.textContent = node.dataset.labelFailed || ""; });
  }

  function hideConfirm() {
    var box = document.getElementById("kiosk-confirm");
    if (box) box.hidden = true;
  }

  // confirmHome shows the grid a tap found with 是/Yes (its page) and
  // 不是/No (stay on the map and tap again).
  function confirmHome(node, a) {
    var box = document.getElementById("kiosk-confirm");
    if (!box) return;
    Array.prototype.forEach.call(box.querySelectorAll("[data-field]"), function (f) {
      f.textContent = a[f.getAttribute("data-field")] || "—";
    });
    var yes = box.querySelector("[data-yes]"), no = box.querySelector("[data-no]");
    yes.href = "/kiosk/grids/" + encodeURIComponent(a.grid_code) + (node.dataset.at ? "?at=" + encodeURIComponent(node.dataset.at) : "");
    no.onclick = function () {
      box.hidden = true;
      if (node.tapMarker) node.tapMarker.remove();
      node.tapMarker = null;
    };
    box.hidden = false;
    yes.focus({ preventScroll: true });
  }

  // keepInSight pans the map so that the tapped point is not hidden under
  // the question at the bottom of the screen.
  function keepInSight(node, map, latlng) {
    var box = document.getElementById("kiosk-confirm"), r = node.getBoundingClientRect();
    if (!box || box.hidden) return;
    var sheet = box.getBoundingClientRect().top, p = map.latLngToContainerPoint(latlng);
    var top = Math.max(r.top, 0), y = r.top + p.y;
    if (y > sheet - 40 && sheet > top + 80) map.panBy([0, y - (top + sheet) / 2], { animate: false });
  }

  function start() {
    if (!window.L) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
