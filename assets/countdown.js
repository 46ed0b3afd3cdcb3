// Live countdowns: any element with data-countdown-until (epoch ms) shows the seconds left.
// Done in the browser so the QR timer ticks without a server round trip each second.
(function () {
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown-until]").forEach(function (el) {
      var until = parseInt(el.getAttribute("data-countdown-until"), 10);
      if (!isNaN(until)) el.textContent = String(Math.max(0, Math.ceil((until - now) / 1000)));
    });
  }
  setInterval(tick, 500);
})();
