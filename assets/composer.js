// The inbox composer's keyboard and clipboard (the state lives in ComposerState).
//
// Quick replies: while the list under "/shortcut" is open, ArrowUp/ArrowDown move the
// highlight, Enter or Tab insert the highlighted reply, Escape closes the list. The text box
// keeps the focus. The server never sends a "/shortcut" that names a quick reply either.
//
// Enter sends (Shift+Enter: a new line). Every keystroke reaches the server before the send
// (events of a tab are handled in order); the box is remounted when the server changes the
// draft, so the focus is put back afterwards.
//
// Paste: an image (or any file) pasted into the text box goes into the attachment box, which
// opens the same preview as choosing a file.
//
//   waComposer.focus()       -> focus the text box with the caret at the end (after a re-render)
//   waComposer.resetFile()   -> empty the file chooser, so choosing the same file again opens
//                               the preview again (browsers skip "change" for the same value)
(function () {
  var active = 0;
  var signature = "";

  function box() {
    return document.getElementById("composer");
  }

  function list() {
    return document.querySelector('[data-testid="quick-reply-list"]');
  }

  function options() {
    var el = list();
    return el ? Array.prototype.slice.call(el.querySelectorAll('[data-testid="quick-reply-option"]')) : [];
  }

  // A new set of options (another prefix) starts again at the first one.
  function paint() {
    var opts = options();
    var now = opts.map(function (o) { return o.textContent; }).join("\u0000");
    if (now !== signature) {
      signature = now;
      active = 0;
    }
    opts.forEach(function (o, i) {
      var on = i === active;
      o.setAttribute("aria-selected", on ? "true" : "false");
      o.classList.toggle("qr-active", on);
      o.style.background = on ? "var(--accent-4)" : "";
      if (on && typeof o.scrollIntoView === "function") o.scrollIntoView({ block: "nearest" });
    });
    return opts;
  }

  function focusBox() {
    function put() {
      var el = box();
      if (!el) return;
      el.focus();
      var end = el.value.length;
      try {
        el.setSelectionRange(end, end);
      } catch (e) {
        /* not a text control */
      }
    }
    put();
    // The server's new text arrives with (or just after) this call: place the caret again.
    window.requestAnimationFrame(put);
    window.setTimeout(put, 120);
  }

  function stop(event) {
    event.preventDefault();
    event.stopPropagation();
  }

  // Blur first: an input method still composing commits its text on blur, so it reaches the
  // server before the click does and cannot overwrite the inserted reply afterwards.
  function press(button) {
    var el = box();
    if (el) el.blur();
    button.click();
  }

  function submit(el) {
    el.blur();
    if (el.form) el.form.requestSubmit();
    focusBox();
  }

  function onKeyDown(event) {
    var el = box();
    if (!el || event.target !== el || event.isComposing) return;
    var enter = event.key === "Enter" && !event.shiftKey;
    if (!list()) {
      if (enter) {
        stop(event);
        if (!event.repeat) submit(el);
      }
      return;
    }
    if (event.key === "Escape") {
      var close = document.querySelector('[data-testid="quick-reply-close"]');
      stop(event);
      if (close) press(close);
      return;
    }
    var opts = paint();
    var moves = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves) {
      if (!opts.length) return;
      stop(event);
      active = (active + moves[event.key] + opts.length) % opts.length;
      paint();
      return;
    }
    if (!enter && !(event.key === "Tab" && !event.shiftKey)) return;
    if (opts.length) {
      stop(event);
      press(opts[Math.min(active, opts.length - 1)]);
    } else if (enter) {
      // No reply starts with this: Enter sends as usual (the server checks again).
      stop(event);
      submit(el);
    }
  }

  function onPaste(event) {
    var el = box();
    var files = event.clipboardData && event.clipboardData.files;
    if (!el || event.target !== el || !files || !files.length) return;
    var input = document.querySelector("#inbox-upload input[type=file]");
    if (!input || typeof DataTransfer !== "function") return;
    event.preventDefault();
    var chosen = new DataTransfer();
    chosen.items.add(files[0]);
    input.files = chosen.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // Capture phase on document: runs before React's own handlers on the text box.
  document.addEventListener("keydown", onKeyDown, true);
  document.addEventListener("paste", onPaste, true);
  new MutationObserver(function () {
    if (list()) paint();
  }).observe(document.documentElement, { childList: true, subtree: true });

  function resetFile() {
    var input = document.querySelector("#inbox-upload input[type=file]");
    if (input) input.value = "";
  }

  window.waComposer = { focus: focusBox, resetFile: resetFile };
})();
