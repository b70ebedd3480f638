/*
 * 湘潭经开区投资服务助手 — website chat widget.
 *
 * Embed with one line:
 *   <script src="https://ASSISTANT/widget/widget.js" data-server="https://ASSISTANT" defer></script>
 *
 * No framework and no CDN: socket.io-client 4.8.1 is served from /widget/vendor/.
 * Bot text is HTML-escaped before the little markdown it supports (bold, lists, links,
 * line breaks) is applied, so nothing a user or the bot sends can run as code.
 * History lives in localStorage, so it survives reloads and navigation on the site.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__xtzChatLoaded) return;
  window.__xtzChatLoaded = true;

  var SERVER = (script.getAttribute("data-server") || new URL(script.src).origin).replace(/\/+$/, "");
  var ASSETS = script.src.replace(/\/widget\.js(\?.*)?$/, "");
  var STORE_KEY = "xtz-chat:" + SERVER;
  var MAX_CHARS = 2000;
  var MAX_HISTORY = 200;
  var ACK_TIMEOUT_MS = 45000;
  var TEXT = {
    title: "湘潭经开区投资服务助手",
    subtitle: "在线解答投资咨询",
    open: "打开在线咨询",
    close: "关闭对话窗口",
    input: "输入您的问题",
    placeholder: "请输入您的问题，按 Enter 发送",
    send: "发送",
    typing: "助手正在输入…",
    connecting: "正在连接…",
    reconnecting: "连接已中断，正在重新连接…输入框将在恢复后可用。",
    serverDown: "暂时无法连接到服务器，请稍后再试。我们会自动重试。",
    failed: "抱歉，这条消息没有得到回复，请再发送一次。",
    helpful: "这个回答有帮助",
    notHelpful: "这个回答没有帮助",
    thanks: "感谢您的反馈",
    feedbackTooFast: "评价有点频繁，请稍后再试",
    feedbackFailed: "评价没有提交成功，请稍后再试",
    you: "您",
    bot: "助手",
    counterFull: "已达上限"
  };

  // ---- state -------------------------------------------------------------------
  var state = load();
  var socket = null;
  var connected = false;
  var everConnected = false;
  var greetingRequested = false;
  var focusWhenReady = false;

  function load() {
    try {
      var saved = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
      if (saved && Array.isArray(saved.messages)) {
        saved.pending = Array.isArray(saved.pending) ? saved.pending : [];
        return saved;
      }
    } catch (e) { /* unreadable history: start afresh */ }
    return { session: null, messages: [], pending: [], open: false };
  }

  function save() {
    state.messages = state.messages.slice(-MAX_HISTORY);
    try { localStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* storage full or blocked */ }
  }

  function newId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // ---- safe rendering ------------------------------------------------------------
  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return ESCAPES[c]; });
  }

  function inline(escaped) {
    return escaped
      .replace(/\*\*([^*\n]+)\*\*/g, "<strong>$1</strong>")
      .replace(/(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?，。；：！？）)])/g,
        '<a href="$1" target="_blank" rel="noopener noreferrer">$1</a>');
  }

  /** Escaped text with bold, links, "- " / "1. " lists and line breaks. */
  function renderText(text) {
    var lines = escapeHtml(text).split("\n");
    var html = [];
    var list = null;
    lines.forEach(function (line) {
      var bullet = /^\s*[-•·]\s+(.*)$/.exec(line);
      var numbered = /^\s*\d+[.、]\s+(.*)$/.exec(line);
      var kind = bullet ? "ul" : numbered ? "ol" : null;
      if (kind !== list) {
        if (list) html.push("</" + list + ">");
        if (kind) html.push("<" + kind + ">");
        list = kind;
      }
      if (kind) {
        html.push("<li>" + inline((bullet || numbered)[1]) + "</li>");
      } else if (line.trim()) {
        html.push("<p>" + inline(line) + "</p>");
      }
    });
    if (list) html.push("</" + list + ">");
    return html.join("");
  }

  function timeLabel(iso) {
    var d = new Date(iso);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "html") node.innerHTML = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  // ---- DOM -----------------------------------------------------------------------
  var css = el("link", { rel: "stylesheet", href: ASSETS + "/widget.css" });
  document.head.appendChild(css);

  var launcher = el("button", {
    type: "button", "class": "xtz-launcher", "data-testid": "chat-launcher",
    "aria-label": TEXT.open, "aria-expanded": "false", "aria-controls": "xtz-panel"
  }, [el("span", { "aria-hidden": "true", text: "咨询" })]);

  var closeButton = el("button", { type: "button", "class": "xtz-close", "aria-label": TEXT.close, text: "×" });
  var notice = el("div", { "class": "xtz-notice", role: "status", "aria-live": "polite", hidden: "" });
  var log = el("div", { "class": "xtz-log", role: "log", "aria-live": "polite", "aria-label": "对话记录", tabindex: "0" });
  var typing = el("div", { "class": "xtz-typing", "data-testid": "chat-typing", hidden: "", text: TEXT.typing });
  var input = el("textarea", {
    "class": "xtz-input", "data-testid": "chat-input", "aria-label": TEXT.input,
    placeholder: TEXT.placeholder, maxlength: String(MAX_CHARS), rows: "2"
  });
  var counter = el("span", { "class": "xtz-counter", "data-testid": "chat-counter", "aria-live": "polite", text: "0/" + MAX_CHARS });
  var sendButton = el("button", { type: "submit", "class": "xtz-send", "data-testid": "chat-send", "aria-label": TEXT.send, text: TEXT.send });
  var form = el("form", { "class": "xtz-form" }, [input, el("div", { "class": "xtz-form-side" }, [counter, sendButton])]);
  var panel = el("section", {
    id: "xtz-panel", "class": "xtz-panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "xtz-title", hidden: ""
  }, [
    el("header", { "class": "xtz-header" }, [
      el("div", {}, [
        el("h2", { id: "xtz-title", "class": "xtz-title", text: TEXT.title }),
        el("p", { "class": "xtz-subtitle", text: TEXT.subtitle })
      ]),
      closeButton
    ]),
    notice, log, typing, form
  ]);
  var root = el("div", { "class": "xtz-root", lang: "zh-CN" }, [panel, launcher]);
  document.body.appendChild(root);

  function showNotice(text) {
    notice.textContent = text;
    if (text) notice.removeAttribute("hidden"); else notice.setAttribute("hidden", "");
  }

  function setInputEnabled(enabled) {
    input.disabled = !enabled;
    sendButton.disabled = !enabled || !input.value.trim();
  }

  function updateCounter() {
    var length = input.value.length;
    counter.textContent = (length >= MAX_CHARS ? TEXT.counterFull + " " : "") + length + "/" + MAX_CHARS;
    counter.classList.toggle("xtz-counter-full", length >= MAX_CHARS);
    sendButton.disabled = input.disabled || !input.value.trim();
  }

  function renderMessage(message, isLast) {
    var role = message.role === "user" ? "user" : "bot";
    var body = el("div", { "class": "xtz-bubble" });
    if (role === "user") body.textContent = message.text;
    else body.innerHTML = renderText(message.text);
    var meta = el("div", { "class": "xtz-meta" }, [
      el("span", { "class": "xtz-sr", text: role === "user" ? TEXT.you : TEXT.bot }),
      el("time", { datetime: message.ts, text: timeLabel(message.ts) })
    ]);
    var item = el("div", {
      "class": "xtz-msg xtz-" + role, "data-testid": "chat-message-" + role, "data-id": message.id
    }, [body, meta]);

    if (role === "bot" && message.buttons && message.buttons.length && isLast) {
      var replies = el("div", { "class": "xtz-replies", role: "group", "aria-label": "可选问题" });
      message.buttons.forEach(function (button) {
        var b = el("button", { type: "button", "class": "xtz-reply", "data-testid": "chat-quick-reply", text: button.title });
        b.addEventListener("click", function () { if (connected) send(button.payload, { shown: button.title }); });
        replies.appendChild(b);
      });
      item.appendChild(replies);
    }
    if (role === "bot" && message.question) {
      item.appendChild(feedbackButtons(message));
    }
    return item;
  }

  function feedbackButtons(message) {
    var group = el("div", { "class": "xtz-feedback", role: "group", "aria-label": "评价这个回答" });
    [["up", "👍", TEXT.helpful], ["down", "👎", TEXT.notHelpful]].forEach(function (spec) {
      var button = el("button", {
        type: "button", "class": "xtz-vote", "data-testid": "chat-feedback-" + spec[0],
        "aria-label": spec[2], "aria-pressed": message.feedback === spec[0] ? "true" : "false", text: spec[1]
      });
      if (message.feedback) button.disabled = true;
      button.addEventListener("click", function () { sendFeedback(message, spec[0]); });
      group.appendChild(button);
    });
    if (message.feedback) group.appendChild(el("span", { "class": "xtz-thanks", text: TEXT.thanks }));
    else if (message.feedbackError) {
      group.appendChild(el("span", { "class": "xtz-thanks", role: "status", text: message.feedbackError }));
    }
    return group;
  }

  function renderAll() {
    log.innerHTML = "";
    state.messages.forEach(function (message, index) {
      log.appendChild(renderMessage(message, index === state.messages.length - 1));
    });
    typing.hidden = state.pending.length === 0;
    log.scrollTop = log.scrollHeight;
  }

  function addMessage(message) {
    state.messages.push(message);
    save();
    renderAll();
  }

  // ---- open / close ----------------------------------------------------------------
  function openPanel() {
    panel.removeAttribute("hidden");
    launcher.setAttribute("aria-expanded", "true");
    root.classList.add("xtz-open");
    state.open = true;
    save();
    connect();
    maybeGreet();
    if (input.disabled) {
      focusWhenReady = true; // until connected: focus the input as soon as it is usable
      log.focus();
    } else {
      input.focus();
    }
  }

  function closePanel() {
    panel.setAttribute("hidden", "");
    launcher.setAttribute("aria-expanded", "false");
    root.classList.remove("xtz-open");
    state.open = false;
    save();
    launcher.focus();
  }

  launcher.addEventListener("click", function () { panel.hidden ? openPanel() : closePanel(); });
  closeButton.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") closePanel(); });

  // ---- sending -------------------------------------------------------------------
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !connected) return;
    input.value = "";
    updateCounter();
    send(text.slice(0, MAX_CHARS));
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  input.addEventListener("input", updateCounter);

  /** Queue a message, show it, deliver it; it stays queued until answered. */
  function send(text, options) {
    options = options || {};
    var pending = { id: newId(), text: text, ts: new Date().toISOString() };
    if (!options.silent) addMessage({ id: pending.id, role: "user", text: options.shown || text, ts: pending.ts });
    state.pending.push(pending);
    save();
    renderAll();
    deliver(pending);
  }

  function deliver(pending) {
    if (!connected || !socket) return; // sent again after reconnecting
    socket.timeout(ACK_TIMEOUT_MS).emit("user_uttered",
      { message: pending.text, message_id: pending.id, metadata: { page: location.pathname } },
      function (error, result) {
        if (error) return; // no answer in time: the reconnect handler resends it
        onReply(pending, result || {});
      });
  }

  function onReply(pending, result) {
    var index = state.pending.findIndex(function (p) { return p.id === pending.id; });
    if (index < 0) return; // an answer we already showed (a resend's duplicate)
    state.pending.splice(index, 1);
    var now = new Date().toISOString();
    if (result.error) {
      state.messages.push({ id: newId(), role: "bot", text: TEXT.failed, ts: now });
    } else {
      (result.messages || []).forEach(function (m, i) {
        if (!m.text && !(m.buttons && m.buttons.length)) return;
        state.messages.push({
          id: pending.id + "-" + i, role: "bot", text: m.text || "", ts: now,
          buttons: m.buttons || [], question: pending.text.charAt(0) === "/" ? null : pending.text,
          answerToken: m.feedback_token || null // the server's signature: feedback needs it
        });
      });
    }
    save();
    renderAll();
  }

  function flushPending() {
    state.pending.forEach(deliver);
  }

  function maybeGreet() {
    if (!connected || greetingRequested || state.messages.length || state.pending.length) return;
    greetingRequested = true;
    send("/greet", { silent: true });
  }

  // ---- feedback --------------------------------------------------------------------
  function sendFeedback(message, rating) {
    if (message.feedback || !state.session) return;
    message.feedback = rating;
    save();
    renderAll();
    fetch(SERVER + "/api/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        session_id: state.session.session_id, token: state.session.token, rating: rating,
        message_id: message.id, question: message.question, answer: message.text,
        answer_token: message.answerToken
      })
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      message.feedbackError = null;
    }).catch(function (error) {
      message.feedback = null; // let the visitor try again, and say why it did not count
      message.feedbackError = error && error.message === "429" ? TEXT.feedbackTooFast : TEXT.feedbackFailed;
      save();
      renderAll();
    });
  }

  // ---- connection ------------------------------------------------------------------
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var tag = el("script", { src: src });
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function connect() {
    if (socket) return;
    socket = {}; // placeholder: connect once
    showNotice(TEXT.connecting);
    setInputEnabled(false);
    var ioReady = window.io ? Promise.resolve() : loadScript(ASSETS + "/vendor/socket.io-4.8.1.min.js");
    ioReady
      .then(function () { return fetch(SERVER + "/widget/config").then(function (r) { return r.json(); }); })
      .then(function (config) {
        socket = window.io(config.socket_url, {
          path: config.socket_path, transports: ["websocket", "polling"],
          reconnection: true, reconnectionDelay: 500, reconnectionDelayMax: 5000
        });
        socket.on("connect", function () {
          socket.emit("session_request", state.session || {});
        });
        socket.on("session_confirm", function (grant) {
          // A session that could not be resumed (expired, or not ours) is replaced by a
          // fresh one; the visitor's own history stays on screen.
          state.session = { session_id: grant.session_id, token: grant.token };
          connected = everConnected = true;
          save();
          renderAll();
          showNotice("");
          setInputEnabled(true);
          if (focusWhenReady && !panel.hidden) input.focus();
          focusWhenReady = false;
          flushPending();
          if (!panel.hidden) maybeGreet();
        });
        socket.on("disconnect", function () {
          connected = false;
          setInputEnabled(false);
          showNotice(TEXT.reconnecting);
        });
        socket.on("connect_error", function () {
          connected = false;
          setInputEnabled(false);
          showNotice(everConnected ? TEXT.reconnecting : TEXT.serverDown);
        });
      })
      .catch(function () {
        socket = null; // try again on the next open
        showNotice(TEXT.serverDown);
      });
  }

  // ---- start -----------------------------------------------------------------------
  renderAll();
  updateCounter();
  if (state.open) openPanel();
  else if (state.pending.length) connect();

  // Small public API for the embedding page (and the browser tests).
  window.XtzChat = {
    open: openPanel,
    close: closePanel,
    socket: function () { return socket && socket.emit ? socket : null; }
  };
})();
