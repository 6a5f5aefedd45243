// The live side of the case pages, on every page of staff who work cases:
// it listens to the server's case events (Server-Sent Events on
// /cases/live), keeps the header's count of cases waiting on the user
// current, refreshes a case board (#case-board) in place when a case
// changes, and for a new or escalated emergency shows a banner and plays
// a short tone. Browsers may keep a page silent until the user has
// touched it: the banner shows regardless, with a button that turns the
// sound on.
(function () {
  "use strict";
  var box = document.getElementById("live-alerts");
  if (!box || !window.EventSource || !window.fetch) {
    return;
  }
  var liveURL = box.getAttribute("data-live");
  var countURL = box.getAttribute("data-count");
  var words = {
    open: box.getAttribute("data-open"),
    dismiss: box.getAttribute("data-dismiss"),
    soundOn: box.getAttribute("data-sound-on"),
    soundReady: box.getAttribute("data-sound-ready")
  };

  // The header's count.
  var counting = false, countAgain = false;
  function refreshCount() {
    var badge = document.querySelector("[data-notify-count]");
    if (!badge) {
      return;
    }
    if (counting) {
      countAgain = true;
      return;
    }
    counting = true;
    fetch(countURL, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (n) {
        if (n) {
          badge.textContent = n.label;
          badge.hidden = n.count === 0;
          badge.setAttribute("data-count", String(n.count));
        }
      })
      .catch(function () {})
      .then(function () {
        counting = false;
        if (countAgain) {
          countAgain = false;
          refreshCount();
        }
      });
  }

  // The board: the page fetched again, its #case-board taken over. One
  // fetch at a time; changes that come meanwhile make one more.
  var loading = false, loadAgain = false;
  function refreshBoard() {
    var board = document.getElementById("case-board");
    if (!board) {
      return;
    }
    if (loading) {
      loadAgain = true;
      return;
    }
    loading = true;
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("case-board");
        if (fresh) {
          board.replaceChildren.apply(board, Array.prototype.slice.call(fresh.childNodes));
          board.setAttribute("data-refreshed", String(Date.now()));
        }
      })
      .catch(function () {})
      .then(function () {
        loading = false;
        if (loadAgain) {
          loadAgain = false;
          refreshBoard();
        }
      });
  }

  // The tone: two short beeps made with the Web Audio API (no sound file).
  var audio = null;
  var soundButton = null;
  function audioContext() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!audio && Ctx) {
      audio = new Ctx();
    }
    return audio;
  }
  function beep(ctx, at, freq) {
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.4, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 0.3);
  }
  function tone() {
    var ctx = audioContext();
    if (!ctx) {
      return;
    }
    var play = function () {
      var t = ctx.currentTime + 0.05;
      beep(ctx, t, 880);
      beep(ctx, t + 0.35, 660);
      beep(ctx, t + 0.7, 880);
    };
    if (ctx.state === "running") {
      play();
      return;
    }
    ctx.resume().then(function () {
      if (ctx.state === "running") {
        play();
      } else {
        offerSound();
      }
    }, offerSound);
    if (ctx.state !== "running") {
      offerSound();
    }
  }
  // offerSound shows the button that lets the user allow the tone: a
  // click is the interaction browsers wait for.
  function offerSound() {
    if (soundButton || (audio && audio.state === "running")) {
      return;
    }
    soundButton = document.createElement("button");
    soundButton.type = "button";
    soundButton.className = "button live-sound";
    soundButton.setAttribute("data-live-sound", "");
    soundButton.textContent = words.soundOn;
    soundButton.addEventListener("click", function () {
      var ctx = audioContext();
      if (!ctx) {
        return;
      }
      ctx.resume().then(function () {
        soundButton.textContent = words.soundReady;
        soundButton.disabled = true;
        beep(ctx, ctx.currentTime + 0.05, 880);
      });
    });
    box.insertBefore(soundButton, box.firstChild);
  }

  // The banner of an emergency: what, which case, a link to it.
  function alertBanner(ev) {
    var old = box.querySelector('[data-alert-case="' + ev.number + '"]');
    if (old) {
      old.remove();
    }
    var div = document.createElement("div");
    div.className = "live-alert live-alert-" + ev.kind;
    div.setAttribute("role", "alert");
    div.setAttribute("data-alert-case", ev.number);
    div.setAttribute("data-alert-kind", ev.kind);
    div.setAttribute("data-alert-level", String(ev.level));
    var text = document.createElement("span");
    text.className = "live-alert-text";
    text.textContent = ev.alert;
    var link = document.createElement("a");
    link.className = "button";
    link.href = ev.url;
    link.textContent = words.open;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button button-quiet";
    close.textContent = words.dismiss;
    close.addEventListener("click", function () { div.remove(); });
    div.appendChild(text);
    div.appendChild(link);
    div.appendChild(close);
    box.appendChild(div);
  }

  var timer = null;
  function changed() {
    // Several events in a burst (a sweep escalating a batch) make one
    // refresh, and a random share of a second spreads the refreshes of
    // every open page over it rather than at one instant.
    if (timer) {
      return;
    }
    timer = window.setTimeout(function () {
      timer = null;
      refreshCount();
      refreshBoard();
    }, 150 + Math.floor(Math.random() * 600));
  }

  var opened = false;
  function connect() {
    var es = new EventSource(liveURL);
    es.addEventListener("open", function () {
      box.setAttribute("data-live-state", "open");
      if (opened) {
        // Back after a break: what changed meanwhile is on the server.
        changed();
      }
      opened = true;
    });
    es.addEventListener("case", function (e) {
      var ev;
      try {
        ev = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      if (ev.alert) {
        alertBanner(ev);
        tone();
      }
      changed();
    });
    es.addEventListener("error", function () {
      box.setAttribute("data-live-state", "closed");
      if (es.readyState === EventSource.CLOSED) {
        // Refused (too many streams, the server stopping): try again later.
        window.setTimeout(connect, 30000);
      }
    });
  }
  refreshCount();
  connect();
})();
