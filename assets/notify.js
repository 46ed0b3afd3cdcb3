// New-message alerts while the tab is in the background: a browser notification and a title
// counter. Agents can turn them off; the choice lives in this browser (localStorage).
//
//   waNotify({unread, title, body, enabled})
//       unread: count for the title "(N) <original title>"; title/body: the notification text;
//       enabled: defaults to waNotifyEnabled(). Does nothing while the tab is visible.
//   waNotifyEnable(bool) -> bool   saves "on"/"off" in localStorage "wa_notify"; asks for
//                                  permission when turning on (call it from a click)
//   waNotifyEnabled()    -> bool   the saved choice ("on" unless turned off)
//
// Event on document: "wa-notify-state" {enabled: bool} after waNotifyEnable.
// Also watches #wa-notify-feed[data-notify] (the Inbox's alerts, as JSON) and calls waNotify.
(function () {
  var KEY = "wa_notify";
  var COUNTER = /^\(\d+\)\s/;
  var originalTitle = null; // the title before we prefixed a counter
  var asked = false;

  function enabled() {
    try {
      return window.localStorage.getItem(KEY) !== "off";
    } catch (e) {
      return true;
    }
  }

  function hasNotifications() {
    return typeof window.Notification === "function";
  }

  // Once per page: browsers frown on (and some block) repeated permission prompts.
  function askPermission() {
    if (asked || !hasNotifications() || Notification.permission !== "default") return;
    asked = true;
    try {
      var pending = Notification.requestPermission();
      if (pending && typeof pending.catch === "function") pending.catch(function () {});
    } catch (e) {
      /* old browsers or blocked: no notifications */
    }
  }

  function showCounter(unread) {
    if (originalTitle === null) originalTitle = document.title.replace(COUNTER, "");
    document.title = unread > 0 ? "(" + unread + ") " + originalTitle : originalTitle;
  }

  function resetTitle() {
    if (originalTitle === null) return;
    document.title = originalTitle;
    originalTitle = null;
  }

  function popUp(title, body) {
    if (!hasNotifications() || Notification.permission !== "granted") return;
    try {
      // One notification at a time: the tag replaces the previous one instead of stacking.
      var note = new Notification(title || document.title, {
        body: body || "",
        tag: "wa-inbox",
        renotify: true,
      });
      note.onclick = function () {
        window.focus();
        note.close();
      };
    } catch (e) {
      /* some platforms only allow notifications from a service worker */
    }
  }

  window.waNotify = function (options) {
    var opts = options || {};
    var on = typeof opts.enabled === "boolean" ? opts.enabled : enabled();
    if (!on || !document.hidden) return;
    askPermission();
    showCounter(Math.max(0, parseInt(opts.unread, 10) || 0));
    popUp(opts.title, opts.body);
  };

  window.waNotifyEnabled = enabled;

  window.waNotifyEnable = function (on) {
    var value = !!on;
    try {
      window.localStorage.setItem(KEY, value ? "on" : "off");
    } catch (e) {
      /* private mode: the choice lasts for this page only */
    }
    if (value) askPermission();
    else resetTitle();
    document.dispatchEvent(new CustomEvent("wa-notify-state", { detail: { enabled: value } }));
    return value;
  };

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) resetTitle();
  });

  // The Inbox page puts each new-message alert in the data-notify attribute of
  // #wa-notify-feed (pushed with the live update itself, no extra round trip).
  var lastAlert = "";
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      var el = change.target;
      if (!el || el.id !== "wa-notify-feed") return;
      var raw = el.getAttribute("data-notify") || "";
      if (!raw || raw === lastAlert) return;
      lastAlert = raw;
      try {
        window.waNotify(JSON.parse(raw));
      } catch (e) {
        /* a malformed alert: skip it */
      }
    });
  }).observe(document.documentElement, {
    subtree: true,
    attributes: true,
    attributeFilter: ["data-notify"],
  });
})();
