// The chat window scrolls as messengers do:
//   - a conversation opens at its newest message;
//   - new messages keep it there while the attendant is at the bottom; when they have
//     scrolled up to read, the view stays put and the "new messages" pill shows instead
//     (clicking it goes to the newest message);
//   - scrolling near the top loads older messages (by clicking the page's own
//     "load older" button), and the message being read stays where it was.
//
// Contract with the page (whatsapp_saas/ui/inbox/chat.py):
//   #chat-scroll[data-conversation]   the scrolling list; the attribute changes per chat
//   [data-mid]                         each message row, oldest first
//   #load-older                        the button that loads the previous page
//   #new-messages-pill                 shown with the class "wa-show"
(function () {
  var NEAR_BOTTOM = 48; // px: closer than this to the end counts as "at the newest message"
  var NEAR_TOP = 120; // px: closer than this to the start loads older messages
  var seen = null; // what the list looked like after our last look at it
  var askedOlderAt = null; // first message id when we last asked for older ones

  function list() {
    return document.getElementById("chat-scroll");
  }

  function edges(el) {
    var rows = el.querySelectorAll("[data-mid]");
    if (!rows.length) return ["", ""];
    return [rows[0].getAttribute("data-mid"), rows[rows.length - 1].getAttribute("data-mid")];
  }

  function atBottom(el) {
    return el.scrollHeight - el.scrollTop - el.clientHeight <= NEAR_BOTTOM;
  }

  function toBottom(el) {
    el.scrollTop = el.scrollHeight;
  }

  function pill(show) {
    var p = document.getElementById("new-messages-pill");
    if (p) p.classList.toggle("wa-show", !!show);
  }

  function remember(el, pinned) {
    var e = edges(el);
    seen = {
      el: el,
      conversation: el.getAttribute("data-conversation"),
      first: e[0],
      last: e[1],
      height: el.scrollHeight,
      top: el.scrollTop,
      pinned: pinned,
    };
  }

  function onScroll(event) {
    var el = event.currentTarget;
    if (!seen || seen.el !== el) return;
    seen.top = el.scrollTop;
    seen.height = el.scrollHeight;
    seen.pinned = atBottom(el);
    if (seen.pinned) pill(false);
    if (el.scrollTop < NEAR_TOP && el.scrollHeight > el.clientHeight) loadOlder(el);
  }

  function loadOlder(el) {
    var button = document.getElementById("load-older");
    var first = edges(el)[0];
    if (!button || askedOlderAt === first) return;
    askedOlderAt = first;
    button.click();
  }

  function update() {
    var el = list();
    if (!el) {
      seen = null;
      return;
    }
    if (!el.waScrollBound) {
      el.waScrollBound = true;
      el.addEventListener("scroll", onScroll, { passive: true });
      // Pictures load after the text: keep the newest message in view meanwhile.
      el.addEventListener(
        "load",
        function () {
          if (seen && seen.pinned) toBottom(el);
        },
        true
      );
    }
    var e = edges(el);
    if (!seen || seen.el !== el || seen.conversation !== el.getAttribute("data-conversation")) {
      toBottom(el);
      pill(false);
      remember(el, true);
      return;
    }
    var pinned = seen.pinned;
    if (e[0] !== seen.first && seen.first && e[1] === seen.last) {
      // Older messages went in above: keep the one being read in place.
      el.scrollTop = seen.top + (el.scrollHeight - seen.height);
    } else if (e[1] !== seen.last) {
      if (pinned) toBottom(el);
      else pill(true);
    } else if (pinned) {
      toBottom(el); // ticks, reactions or "typing…" changed the height
    }
    remember(el, pinned);
  }

  function start() {
    new MutationObserver(update).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["data-conversation", "data-mid"],
    });
    document.addEventListener("click", function (event) {
      var target = event.target;
      if (!target || !target.closest || !target.closest("#new-messages-pill")) return;
      var el = list();
      if (!el) return;
      toBottom(el);
      pill(false);
      if (seen) seen.pinned = true;
    });
    window.addEventListener("resize", function () {
      var el = list();
      if (el && seen && seen.pinned) toBottom(el);
    });
    update();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
