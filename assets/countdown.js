// Small browser-side helpers that need no server round trip.
(function () {
  // Live countdowns: any element with data-countdown-until (epoch ms) shows the seconds left,
  // so the QR timer ticks every second without a websocket message each time.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown-until]").forEach(function (el) {
      var until = parseInt(el.getAttribute("data-countdown-until"), 10);
      if (!isNaN(until)) el.textContent = String(Math.max(0, Math.ceil((until - now) / 1000)));
    });
  }
  setInterval(tick, 500);

  // Voice notes: show the recording controls only where the browser can record, and swap
  // "record" for "stop" while recording (voice.js announces it with wa-voice-state).
  function markRecordingSupport() {
    var can = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
    // On <html>, not <body>: this runs before React hydrates, and a class React did not render
    // on <body> is a hydration mismatch (<html> is rendered with suppressHydrationWarning).
    document.documentElement.classList.toggle("wa-can-record", can);
  }
  document.addEventListener("DOMContentLoaded", markRecordingSupport);
  markRecordingSupport();
  document.addEventListener("wa-voice-state", function (event) {
    document.documentElement.classList.toggle("wa-recording", !!(event.detail && event.detail.recording));
  });

  // Infinite scroll: a "load more" button marked data-autoload clicks itself when it scrolls
  // into view.
  var seen = new WeakSet();
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) { if (entry.isIntersecting) entry.target.click(); });
  }) : null;
  setInterval(function () {
    if (!observer) return;
    document.querySelectorAll("[data-autoload]").forEach(function (el) {
      if (!seen.has(el)) { seen.add(el); observer.observe(el); }
    });
  }, 1000);
})();
