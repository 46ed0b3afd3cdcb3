// Voice notes: record with MediaRecorder and post the audio to the inbox.
//
//   waVoice.supported()            -> true when this browser can record here (https or
//                                     localhost, getUserMedia and MediaRecorder present)
//   waVoice.start(conversationId)  -> Promise<bool>: asks for the microphone and records;
//                                     false (and nothing else) when unsupported or denied
//   waVoice.stop()                 -> Promise<json|null>: stops and posts the recording to
//                                     POST /inbox/conversations/{id}/voice; alerts json.error
//   waVoice.cancel()               -> stops and throws the recording away
//   waVoice.recording              -> true while recording
//
// Events on document: "wa-voice-state" {recording: bool} whenever recording starts or ends,
// and "wa-voice-sent" {conversationId, messageId} after the server accepted a note.
(function () {
  // WhatsApp voice notes are Ogg/Opus; Chromium records only WebM/Opus. The server converts
  // whatever arrives to Ogg/Opus mono with ffmpeg (whatsapp_saas/inbox/audio.py).
  var TYPES = ["audio/ogg;codecs=opus", "audio/webm;codecs=opus", "audio/webm"];
  var current = null; // {recorder, stream, chunks, conversationId, cancelled, done}
  var starting = false;

  function supported() {
    return !!(
      window.isSecureContext !== false &&
      navigator.mediaDevices &&
      typeof navigator.mediaDevices.getUserMedia === "function" &&
      typeof window.MediaRecorder === "function"
    );
  }

  function pickType() {
    if (typeof MediaRecorder.isTypeSupported !== "function") return "";
    for (var i = 0; i < TYPES.length; i++) {
      if (MediaRecorder.isTypeSupported(TYPES[i])) return TYPES[i];
    }
    return "";
  }

  // In `reflex run` (dev) the backend has its own port; Reflex's runtime knows it. In prod both
  // share one origin and the relative path is right.
  function apiBase() {
    if (typeof window.waApiBase === "string") return window.waApiBase;
    try {
      var state = window.__reflex && window.__reflex["$/utils/state"];
      if (state && typeof state.getBackendURL === "function") return state.getBackendURL().origin;
    } catch (e) {
      /* fall through to same origin */
    }
    return "";
  }

  function announce(name, detail) {
    document.dispatchEvent(new CustomEvent(name, { detail: detail }));
  }

  function setRecording(on) {
    api.recording = on;
    announce("wa-voice-state", { recording: on });
  }

  function release(rec) {
    rec.stream.getTracks().forEach(function (track) {
      track.stop();
    });
    if (current === rec) current = null;
  }

  function upload(conversationId, blob) {
    var url = apiBase() + "/inbox/conversations/" + encodeURIComponent(conversationId) + "/voice";
    return fetch(url, {
      method: "POST",
      body: blob,
      headers: { "Content-Type": blob.type || "audio/webm" },
      credentials: "include",
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return { error: "HTTP " + response.status };
          })
          .then(function (json) {
            if (!response.ok || json.error) {
              alert(json.error || "HTTP " + response.status);
              return null;
            }
            announce("wa-voice-sent", { conversationId: conversationId, messageId: json.message_id });
            return json;
          });
      })
      .catch(function (err) {
        alert(String(err && err.message ? err.message : err));
        return null;
      });
  }

  function record(conversationId, stream) {
    var type = pickType();
    var recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
    var rec = { recorder: recorder, stream: stream, chunks: [], conversationId: conversationId, cancelled: false };
    rec.done = new Promise(function (resolve) {
      recorder.ondataavailable = function (event) {
        if (event.data && event.data.size) rec.chunks.push(event.data);
      };
      recorder.onstop = function () {
        release(rec);
        setRecording(false);
        var blob = new Blob(rec.chunks, { type: recorder.mimeType || type || "audio/webm" });
        if (rec.cancelled || !blob.size) return resolve(null);
        resolve(upload(conversationId, blob));
      };
    });
    current = rec;
    recorder.start();
    setRecording(true);
  }

  function start(conversationId) {
    if (!supported() || current || starting) return Promise.resolve(false);
    starting = true;
    return navigator.mediaDevices
      .getUserMedia({ audio: true })
      .then(function (stream) {
        starting = false;
        record(conversationId, stream);
        return true;
      })
      .catch(function () {
        // Denied, no microphone or no https: recording is simply not available.
        starting = false;
        return false;
      });
  }

  function finish(cancelled) {
    var rec = current;
    if (!rec) return Promise.resolve(null);
    rec.cancelled = cancelled;
    if (rec.recorder.state !== "inactive") rec.recorder.stop();
    return rec.done;
  }

  var api = {
    supported: supported,
    start: start,
    stop: function () {
      return finish(false);
    },
    cancel: function () {
      return finish(true);
    },
    recording: false,
  };
  window.waVoice = api;
})();
