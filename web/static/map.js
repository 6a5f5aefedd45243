// Maps: every element with data-map="URL" becomes a Leaflet map of the
// GeoJSON at URL. Grids are drawn as vectors on a plain background, so the
// map needs no tile server; data-tiles="template" adds tiles underneath.
//
// Features carry a "kind": outline, community, grid, gap, overlap, outside, building,
// stray (map.geojson of an area page); features without one are grids
// (/api/v1/grids.geojson on the kiosk). On a staff map a click on a grid
// opens its card; on the kiosk (data-kiosk) a tap anywhere asks
// /api/v1/locate which grid holds that point and opens the grid's page.
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
    var map = L.map(node, { zoomSnap: 0.25, attributionControl: !!node.dataset.tiles, tap: true });
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
    var order = { outline: 0, grid: 1, community: 2, outside: 3, overlap: 4, gap: 5, building: 6, stray: 7 };
    var feats = (fc.features || []).slice().sort(function (a, b) {
      return (order[(a.properties || {}).kind || "grid"] || 0) - (order[(b.properties || {}).kind || "grid"] || 0);
    });
    var counts = {}, grids = [], outline = null, selected = null;
    var layer = L.geoJSON(feats, {
      style: styleOf,
      pointToLayer: pointOf,
      interactive: !kiosk,
      onEachFeature: function (f, l) {
        var p = f.properties || {}, kind = p.kind || "grid";
        counts[kind] = (counts[kind] || 0) + 1;
        if (kind === "outline") outline = l;
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

    // A label only where it fits: a grid narrower on screen than its name
    // shows no name until the map is zoomed in on it.
    function labels() {
      grids.forEach(function (l) {
        var t = l.getTooltip(), el = t && t.getElement();
        if (!el) return;
        var b = l.getBounds(), ne = map.latLngToContainerPoint(b.getNorthEast()), sw = map.latLngToContainerPoint(b.getSouthWest());
        el.classList.remove("grid-label-hidden");
        var fits = el.offsetWidth <= Math.abs(ne.x - sw.x) * 0.95 && el.offsetHeight <= Math.abs(sw.y - ne.y) * 0.9;
        el.classList.toggle("grid-label-hidden", !fits);
      });
    }
    map.on("zoomend", labels);
    labels();

    if (kiosk) {
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

  function openCard(map, l, p) {
    var popup = L.popup({ maxWidth: 320 }).setLatLng(l.getCenter()).setContent(el("div", "map-card", p.name)).openOn(map);
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

  // The kiosk: a tap anywhere on the map finds the grid that holds it.
  function locate(node, map, latlng) {
    var out = document.getElementById("kiosk-tap-result");
    if (node.tapMarker) node.tapMarker.remove();
    node.tapMarker = L.circleMarker(latlng, { radius: 12, color: red, weight: 4, fillOpacity: 0.2, className: "tap" }).addTo(map);
    fetch("/api/v1/locate?lng=" + latlng.lng.toFixed(7) + "&lat=" + latlng.lat.toFixed(7))
      .then(function (r) {
        if (r.status === 404) return null;
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (a) {
        if (a && a.grid_code) {
          location.href = "/kiosk/grids/" + encodeURIComponent(a.grid_code);
        } else if (out) {
          out.textContent = node.dataset.labelOutside || "";
          out.hidden = false;
        }
      })
      .catch(function () {
        if (out) {
          out.textContent = node.dataset.labelFailed || "";
          out.hidden = false;
        }
      });
  }

  function start() {
    if (!window.L) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
