/*
 * Switchboard web chat widget.
 *
 * A customer's site embeds it with one tag:
 *   <script src="https://inbox.example.com/chat/widget.js" data-title="Support" async></script>
 * Optional attributes: data-title, data-name, data-email, data-user-hash, data-open="true".
 *
 * It talks only to Switchboard's customer-side chat API, which lives next to this file
 * (/chat/widget.js -> /chat/v1/...), so it also works when the inbox sits behind a path prefix.
 * No framework, no build step, no external requests. Message text is only ever set with
 * textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  // Read now: document.currentScript is only set while this file first runs.
  const script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script || window.SwitchboardChat) return; // embedded twice: the first copy wins
  window.SwitchboardChat = {}; // claimed at once, as a second copy may run before start()

  const POLL_INTERVAL_MS = 2000;
  const REQUEST_TIMEOUT_MS = 15000;
  const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 16000];
  const MAX_STREAM_ERRORS = 3; // consecutive failures before falling back to polling
  const MAX_SESSION_RESTARTS = 3; // stops a loop if the server keeps rejecting fresh sessions
  const MAX_PAGES_PER_CATCH_UP = 20;

  const config = readConfig(script);
  const ui = {};
  const state = {
    session: null, // {session_id, token}
    creating: null, // the session being created, shared by everything that needs one
    restarts: 0,
    identity: Object.assign({}, config.identity),
    seen: new Set(), // server ids already shown: SSE, polling and history overlap on purpose
    pending: [], // visitor messages the server has not confirmed yet
    lastId: null,
    stream: null,
    streamErrors: 0,
    feedGeneration: 0, // bumped when the feed stops so stale poll loops end
    catchingUp: false,
    catchUpAgain: false,
    sendQueue: Promise.resolve(), // sends go one at a time so they arrive in order
    isOpen: false,
    unread: 0,
  };

  // ---- configuration and storage -------------------------------------------------------

  function readConfig(tag) {
    const apiBase = new URL("v1/", new URL(tag.src, document.baseURI)).href;
    const data = tag.dataset;
    return {
      apiBase: apiBase,
      storageKey: "switchboard-chat:" + apiBase,
      title: data.title || "Chat with us",
      identity: withoutEmpty({ name: data.name, email: data.email, user_hash: data.userHash }),
      openOnLoad: data.open === "true",
    };
  }

  function withoutEmpty(fields) {
    const result = {};
    for (const [key, value] of Object.entries(fields)) if (value) result[key] = value;
    return result;
  }

  // localStorage can throw (private modes, sandboxed frames): the chat then lasts one page view.
  function loadStoredSession() {
    try {
      const stored = JSON.parse(localStorage.getItem(config.storageKey));
      return stored && stored.session_id && stored.token ? stored : null;
    } catch (error) {
      return null;
    }
  }

  function storeSession(session) {
    try {
      if (session) localStorage.setItem(config.storageKey, JSON.stringify(session));
      else localStorage.removeItem(config.storageKey);
    } catch (error) {
      /* see loadStoredSession */
    }
  }

  // ---- HTTP ----------------------------------------------------------------------------

  class HttpError extends Error {
    constructor(status, body, retryAfter) {
      super((body && body.error && body.error.message) || "HTTP " + status);
      this.status = status;
      this.retryAfter = retryAfter;
    }
  }

  async function callApi(method, path, options) {
    const { body, token } = options || {};
    const headers = { Accept: "application/json" };
    if (body) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    // A request that hangs must count as failed, or a message would say "Sending…" forever.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(new URL(path, config.apiBase), {
        method: method,
        headers: headers,
        body: body ? JSON.stringify(body) : undefined,
        credentials: "omit", // the bearer token is the only credential
        signal: controller.signal,
      });
      const data = await response.json().catch(() => null);
      if (!response.ok) throw new HttpError(response.status, data, response.headers.get("Retry-After"));
      return data;
    } finally {
      clearTimeout(timer);
    }
  }

  function sessionPath(session, rest) {
    return "sessions/" + encodeURIComponent(session.session_id) + rest;
  }

  // Network errors and "try again later" answers; the contract says retrying those is safe.
  function isRetryable(error) {
    return !(error instanceof HttpError) || [429, 502, 503, 504].includes(error.status);
  }

  function isSessionGone(error) {
    return error instanceof HttpError && (error.status === 401 || error.status === 404);
  }

  function newClientMessageId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // randomUUID exists only on https and localhost; getRandomValues works everywhere.
    const bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function retryDelay(error, attempt) {
    const asked = error instanceof HttpError && Number(error.retryAfter);
    if (asked > 0) return Math.min(asked, 60) * 1000;
    // Jitter keeps many visitors from retrying in step after an outage.
    return RETRY_DELAYS_MS[attempt] * (0.8 + Math.random() * 0.4);
  }

  // ---- session -------------------------------------------------------------------------

  function ensureSession() {
    if (state.session) return Promise.resolve(state.session);
    if (!state.creating) {
      state.creating = callApi("POST", "sessions", { body: state.identity })
        .then(adoptSession)
        .finally(() => {
          state.creating = null;
        });
    }
    return state.creating;
  }

  function adoptSession(created) {
    state.session = { session_id: created.session_id, token: created.token };
    storeSession(state.session);
    startFeed();
    return state.session;
  }

  function forgetSession(session) {
    if (session !== state.session) return; // someone already replaced it
    stopFeed();
    storeSession(null);
    state.session = null;
    state.lastId = null;
  }

  // The stored session expired or was deleted: carry on in a fresh one.
  function restartSession(session) {
    forgetSession(session);
    if (state.restarts >= MAX_SESSION_RESTARTS) return;
    state.restarts += 1;
    ensureSession().catch(() => {}); // a failure here is retried by the next send
  }

  // ---- receiving: history, Server-Sent Events, polling ---------------------------------

  function startFeed() {
    catchUp();
    if (window.EventSource) openStream();
    else startPolling();
  }

  function stopFeed() {
    state.feedGeneration += 1;
    if (state.stream) state.stream.close();
    state.stream = null;
    state.streamErrors = 0;
  }

  function openStream() {
    const session = state.session;
    const url = new URL(sessionPath(session, "/events"), config.apiBase);
    url.searchParams.set("token", session.token); // EventSource cannot send headers
    const stream = new EventSource(url.href);
    state.stream = stream;
    // Each (re)connection may have missed messages; fetching after the last id closes the gap.
    stream.addEventListener("open", () => {
      state.streamErrors = 0;
      catchUp();
    });
    stream.addEventListener("message", (event) => {
      if (stream === state.stream) receive([parseJson(event.data)]);
    });
    stream.addEventListener("error", () => onStreamError(stream));
  }

  function onStreamError(stream) {
    if (stream !== state.stream) return;
    state.streamErrors += 1;
    // CLOSED means the browser gave up (e.g. the server refused the stream); otherwise it
    // reconnects by itself with Last-Event-ID, and we only step in when that keeps failing.
    if (stream.readyState === EventSource.CLOSED || state.streamErrors >= MAX_STREAM_ERRORS) {
      stream.close();
      state.stream = null;
      startPolling();
    }
  }

  function startPolling() {
    const generation = state.feedGeneration;
    const tick = async () => {
      if (generation !== state.feedGeneration) return;
      await catchUp();
      if (generation === state.feedGeneration) setTimeout(tick, POLL_INTERVAL_MS);
    };
    setTimeout(tick, POLL_INTERVAL_MS);
  }

  function parseJson(text) {
    try {
      return JSON.parse(text);
    } catch (error) {
      return null;
    }
  }

  // Fetches every message after the last one seen. Calls that overlap run once more instead.
  async function catchUp() {
    if (state.catchingUp) {
      state.catchUpAgain = true;
      return;
    }
    state.catchingUp = true;
    try {
      do {
        state.catchUpAgain = false;
        await fetchNewMessages();
      } while (state.catchUpAgain);
    } catch (error) {
      // Nothing to do: the stream's next reconnection or the next poll tries again.
    } finally {
      state.catchingUp = false;
    }
  }

  async function fetchNewMessages() {
    const session = state.session;
    if (!session) return;
    for (let page = 0; page < MAX_PAGES_PER_CATCH_UP; page++) {
      const query = state.lastId == null ? "" : "?after=" + encodeURIComponent(state.lastId);
      let data;
      try {
        data = await callApi("GET", sessionPath(session, "/messages" + query), { token: session.token });
      } catch (error) {
        if (!isSessionGone(error)) throw error;
        return restartSession(session);
      }
      if (session !== state.session) return; // the session changed while we waited
      // Stop when a page brings nothing new: the server may page its answers, or ignore `after`.
      if (receive((data && data.items) || []) === 0) return;
    }
  }

  // Shows messages not seen yet, whatever the route they came by; returns how many were new.
  function receive(messages) {
    let added = 0;
    for (const message of messages) {
      if (!message || message.id == null) continue;
      state.lastId = message.id;
      const id = String(message.id);
      if (state.seen.has(id)) continue;
      state.seen.add(id);
      added += 1;
      if (message.direction === "inbound" && claimPending(message)) continue;
      appendMessage(renderMessage(message));
      if (message.direction === "outbound" && !state.isOpen) setUnread(state.unread + 1);
    }
    return added;
  }

  // The stream can echo a visitor's message before its POST has answered: attach the id to
  // the bubble already on screen instead of showing the text twice.
  function claimPending(message) {
    const byClientId = state.pending.find((p) => message.client_message_id && p.clientId === message.client_message_id);
    const byText = state.pending.find((p) => !p.serverId && p.text.trim() === String(message.text).trim());
    const pending = byClientId || byText;
    if (!pending) return false;
    markSent(pending, message);
    return true;
  }

  // ---- sending -------------------------------------------------------------------------

  function submitText(text) {
    const pending = { clientId: newClientMessageId(), text: text, serverId: null };
    pending.node = renderMessage({ direction: "inbound", text: text });
    pending.node.setAttribute("data-client-message-id", pending.clientId);
    appendMessage(pending.node, true);
    state.pending.push(pending);
    queueDelivery(pending);
  }

  function queueDelivery(pending) {
    showStatus(pending, "sending");
    state.sendQueue = state.sendQueue.then(() => deliver(pending));
  }

  // The same client_message_id goes with every attempt, so a retry never makes a second copy.
  async function deliver(pending) {
    for (let attempt = 0; ; attempt++) {
      if (pending.serverId) return; // the stream already confirmed it
      let session = null;
      try {
        session = await ensureSession();
        const body = { text: pending.text, client_message_id: pending.clientId };
        const saved = await callApi("POST", sessionPath(session, "/messages"), { body: body, token: session.token });
        return markSent(pending, saved);
      } catch (error) {
        const gone = session && isSessionGone(error);
        if (gone) forgetSession(session); // the next attempt starts a new session
        if ((!gone && !isRetryable(error)) || attempt >= RETRY_DELAYS_MS.length) return markFailed(pending, error);
        if (!gone) await sleep(retryDelay(error, attempt));
      }
    }
  }

  function markSent(pending, saved) {
    state.pending = state.pending.filter((p) => p !== pending);
    if (pending.serverId) return;
    pending.serverId = String(saved.id);
    state.seen.add(pending.serverId);
    pending.node.setAttribute("data-message-id", pending.serverId);
    showStatus(pending, "sent", saved.created_at);
  }

  function markFailed(pending, error) {
    const reason = error instanceof HttpError && !isRetryable(error) ? error.message : "";
    showStatus(pending, "failed", null, reason);
  }

  function retry(pending) {
    if (!state.pending.includes(pending)) state.pending.push(pending);
    queueDelivery(pending);
  }

  // ---- DOM building --------------------------------------------------------------------

  // Builds an element; "text" sets textContent and "on*" adds listeners. Never uses innerHTML.
  function el(tag, props, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value == null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function chatIcon() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z");
    svg.append(path);
    return svg;
  }

  function buildLauncher() {
    ui.badge = el("span", { class: "sbc-badge", "aria-hidden": "true", hidden: true });
    return el("button", {
      type: "button",
      class: "sbc-launcher",
      "data-testid": "chat-launcher",
      "aria-label": "Open chat",
      "aria-expanded": "false",
      "aria-controls": "sbc-panel",
      onclick: () => (state.isOpen ? closePanel() : openPanel(true)),
    }, [chatIcon(), ui.badge]);
  }

  function buildPanel() {
    const header = el("div", { class: "sbc-header" }, [
      el("h2", { id: "sbc-title", class: "sbc-title", text: config.title }),
      el("button", { type: "button", class: "sbc-close", "aria-label": "Close chat", text: "×", onclick: closePanel }),
    ]);
    return el("div", {
      id: "sbc-panel",
      class: "sbc-panel",
      role: "dialog",
      "aria-labelledby": "sbc-title",
      "data-testid": "chat-panel",
      hidden: true,
      onkeydown: (event) => event.key === "Escape" && closePanel(),
    }, [header, buildPrechat(), buildConversation()]);
  }

  // Asks only for what the embedding site did not already tell us; both fields are optional.
  function buildPrechat() {
    const fields = [];
    if (!config.identity.name) fields.push(labelled("Your name", el("input", { name: "name", type: "text", autocomplete: "name" })));
    if (!config.identity.email) fields.push(labelled("Your email", el("input", { name: "email", type: "email", autocomplete: "email" })));
    ui.prechat = el("form", { class: "sbc-prechat", "data-testid": "chat-prechat", hidden: true, onsubmit: onPrechatSubmit }, [
      el("p", { class: "sbc-intro", text: "Tell us who you are so we can follow up by email. This is optional." }),
    ].concat(fields, [
      el("div", { class: "sbc-actions" }, [
        el("button", { type: "submit", class: "sbc-primary", text: "Start chat" }),
        el("button", { type: "button", class: "sbc-secondary", text: "Skip", onclick: showConversation }),
      ]),
    ]));
    return ui.prechat;
  }

  function labelled(text, input) {
    return el("label", { class: "sbc-field" }, [el("span", { text: text }), input]);
  }

  function buildConversation() {
    ui.empty = el("p", { class: "sbc-empty", text: "Send us a message and an agent will answer here." });
    ui.list = el("div", {
      class: "sbc-list",
      role: "log",
      "aria-live": "polite",
      "aria-label": "Messages",
      tabindex: "0", // lets keyboard users scroll the history
      "data-testid": "chat-messages",
    }, [ui.empty]);
    ui.input = el("textarea", {
      id: "sbc-input",
      class: "sbc-input",
      rows: "1",
      placeholder: "Type a message…",
      "data-testid": "chat-input",
      onkeydown: onInputKeydown,
      oninput: fitInputHeight,
    });
    ui.composer = el("form", { class: "sbc-composer", onsubmit: onComposerSubmit }, [
      el("label", { for: "sbc-input", class: "sbc-visually-hidden", text: "Message" }),
      ui.input,
      el("button", { type: "submit", class: "sbc-send", "data-testid": "chat-send", text: "Send" }),
    ]);
    ui.conversation = el("div", { class: "sbc-conversation", hidden: true }, [ui.list, ui.composer]);
    return ui.conversation;
  }

  function renderMessage(message) {
    const outbound = message.direction === "outbound";
    return el("div", {
      class: "sbc-message",
      "data-testid": "chat-message",
      "data-direction": outbound ? "outbound" : "inbound",
      "data-message-id": message.id == null ? null : String(message.id),
    }, [
      outbound ? el("div", { class: "sbc-author", text: message.author_name || "Support" }) : null,
      el("div", { class: "sbc-bubble", "data-testid": "chat-message-text", text: String(message.text == null ? "" : message.text) }),
      el("div", { class: "sbc-meta", text: formatTime(message.created_at) }),
    ]);
  }

  function formatTime(isoTime) {
    const time = isoTime ? new Date(isoTime) : null;
    if (!time || isNaN(time)) return "";
    return time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  // Status line under a visitor's message: "Sending…", the time once sent, or a Retry button.
  function showStatus(pending, status, createdAt, reason) {
    const node = pending.node;
    node.classList.toggle("sbc-sending", status === "sending");
    node.classList.toggle("sbc-failed", status === "failed");
    node.setAttribute("data-status", status);
    const meta = node.querySelector(".sbc-meta");
    meta.replaceChildren();
    if (status === "sending") meta.textContent = "Sending…";
    if (status === "sent") meta.textContent = formatTime(createdAt);
    if (status === "failed") {
      meta.append(
        el("span", { text: reason ? "Not sent: " + reason + " " : "Not sent. " }),
        el("button", { type: "button", class: "sbc-retry", "data-testid": "chat-retry", text: "Retry", onclick: () => retry(pending) })
      );
    }
  }

  function appendMessage(node, isOwn) {
    const list = ui.list;
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    ui.empty.hidden = true;
    list.append(node);
    // Follow new messages unless the visitor scrolled up to read older ones.
    if (isOwn || nearBottom) list.scrollTop = list.scrollHeight;
  }

  // ---- interaction ---------------------------------------------------------------------

  function onInputKeydown(event) {
    // Enter sends, Shift+Enter keeps a new line; never send in the middle of an IME composition.
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    ui.composer.requestSubmit();
  }

  function onComposerSubmit(event) {
    event.preventDefault();
    const text = ui.input.value.trim();
    if (!text) return;
    ui.input.value = "";
    fitInputHeight();
    submitText(text);
    ui.input.focus();
  }

  function fitInputHeight() {
    ui.input.style.height = "auto";
    ui.input.style.height = Math.min(ui.input.scrollHeight, 120) + "px";
  }

  function onPrechatSubmit(event) {
    event.preventDefault();
    const form = new FormData(ui.prechat);
    Object.assign(state.identity, withoutEmpty({ name: form.get("name"), email: form.get("email") }));
    showConversation();
  }

  function showConversation() {
    ui.prechat.hidden = true;
    ui.conversation.hidden = false;
    if (state.isOpen) ui.input.focus();
  }

  function openPanel(moveFocus) {
    state.isOpen = true;
    ui.panel.hidden = false;
    ui.root.classList.add("sbc-open");
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.launcher.setAttribute("aria-label", "Close chat");
    setUnread(0);
    ui.list.scrollTop = ui.list.scrollHeight;
    if (!moveFocus) return; // opened by data-open on page load: do not steal the page's focus
    const first = ui.prechat.hidden ? ui.input : ui.prechat.querySelector("input, button");
    first.focus();
  }

  function closePanel() {
    const hadFocus = ui.panel.contains(document.activeElement);
    state.isOpen = false;
    ui.panel.hidden = true;
    ui.root.classList.remove("sbc-open");
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.setAttribute("aria-label", "Open chat");
    if (hadFocus) ui.launcher.focus();
  }

  function setUnread(count) {
    state.unread = count;
    ui.badge.hidden = count === 0;
    ui.badge.textContent = String(count);
    const suffix = count ? " (" + count + " new " + (count === 1 ? "message" : "messages") + ")" : "";
    if (!state.isOpen) ui.launcher.setAttribute("aria-label", "Open chat" + suffix);
  }

  // ---- start-up ------------------------------------------------------------------------

  function start() {
    document.head.append(el("style", { "data-switchboard-chat": true, text: STYLES }));
    ui.launcher = buildLauncher();
    ui.panel = buildPanel();
    ui.root = el("div", { class: "sbc-root", "data-switchboard-chat": true }, [ui.panel, ui.launcher]);
    document.body.append(ui.root);
    // Lets the site open the chat from its own "Contact us" button.
    Object.assign(window.SwitchboardChat, { open: () => openPanel(true), close: closePanel });

    const stored = loadStoredSession();
    const askFirst = !stored && !config.openOnLoad && !(config.identity.name && config.identity.email);
    if (askFirst) ui.prechat.hidden = false;
    else ui.conversation.hidden = false;
    if (stored) {
      // Resume the same chat after a reload; history arrives through the feed's first catch-up.
      state.session = stored;
      startFeed();
    }
    if (config.openOnLoad) openPanel(false);
  }

  // Every rule is scoped under .sbc-root and sets what host pages commonly restyle.
  const STYLES = `
.sbc-root{position:fixed;right:20px;bottom:20px;z-index:2147483000;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;text-align:left}
.sbc-root *{box-sizing:border-box;font:inherit;letter-spacing:normal;text-transform:none}
.sbc-root [hidden]{display:none!important}
.sbc-root button{cursor:pointer;margin:0}
.sbc-root :focus-visible{outline:3px solid #8fa8ff;outline-offset:2px}
.sbc-launcher{position:relative;display:flex;align-items:center;justify-content:center;width:58px;height:58px;margin-left:auto;border:0;border-radius:50%;background:#2b55d9;color:#fff;box-shadow:0 6px 20px rgba(20,35,80,.3)}
.sbc-launcher:hover{background:#2249c2}
.sbc-badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#d93036;color:#fff;font-size:12px;line-height:20px;font-weight:700}
.sbc-panel{position:absolute;right:0;bottom:74px;display:flex;flex-direction:column;width:370px;height:min(560px,calc(100vh - 120px));background:#fff;border-radius:14px;box-shadow:0 14px 44px rgba(20,35,80,.28);overflow:hidden}
.sbc-header{display:flex;align-items:center;justify-content:space-between;padding:14px 16px;background:#2b55d9;color:#fff}
.sbc-title{margin:0;font-size:16px;font-weight:600}
.sbc-close{width:32px;height:32px;border:0;border-radius:8px;background:transparent;color:#fff;font-size:24px;line-height:1}
.sbc-close:hover{background:rgba(255,255,255,.15)}
.sbc-prechat{display:flex;flex-direction:column;gap:12px;padding:18px 16px}
.sbc-intro{margin:0;color:#4a5368}
.sbc-field{display:flex;flex-direction:column;gap:4px;font-size:14px;font-weight:600}
.sbc-field input{padding:9px 10px;border:1px solid #c5ccd8;border-radius:8px;font-weight:400;background:#fff;color:#1d2330}
.sbc-actions{display:flex;gap:8px}
.sbc-primary,.sbc-send{padding:9px 16px;border:0;border-radius:10px;background:#2b55d9;color:#fff;font-weight:600}
.sbc-primary:hover,.sbc-send:hover{background:#2249c2}
.sbc-secondary{padding:9px 16px;border:1px solid #c5ccd8;border-radius:10px;background:#fff;color:#1d2330}
.sbc-conversation{display:flex;flex-direction:column;flex:1;min-height:0}
.sbc-list{display:flex;flex-direction:column;gap:10px;flex:1;min-height:0;overflow-y:auto;padding:16px;background:#f4f6f9}
.sbc-empty{margin:auto 0;color:#5b6475;text-align:center}
.sbc-message{display:flex;flex-direction:column;max-width:82%}
.sbc-message[data-direction=inbound]{align-self:flex-end;align-items:flex-end}
.sbc-message[data-direction=outbound]{align-self:flex-start;align-items:flex-start}
.sbc-author{margin:0 4px 2px;font-size:12px;font-weight:600;color:#4a5368}
.sbc-bubble{padding:8px 12px;border-radius:16px;white-space:pre-wrap;overflow-wrap:anywhere}
.sbc-message[data-direction=inbound] .sbc-bubble{background:#2b55d9;color:#fff;border-bottom-right-radius:4px}
.sbc-message[data-direction=outbound] .sbc-bubble{background:#fff;border:1px solid #dfe3ea;border-bottom-left-radius:4px}
.sbc-meta{margin:2px 4px 0;font-size:12px;color:#5b6475}
.sbc-meta:empty{display:none}
.sbc-sending .sbc-bubble{opacity:.65}
.sbc-failed .sbc-bubble{background:#fdecec!important;color:#8a1c21!important;border:1px solid #f3b7ba}
.sbc-failed .sbc-meta{color:#8a1c21}
.sbc-retry{padding:0;border:0;background:none;color:#2b55d9;font-weight:600;text-decoration:underline}
.sbc-composer{display:flex;align-items:flex-end;gap:8px;padding:10px;border-top:1px solid #e3e7ee;background:#fff}
.sbc-input{flex:1;min-height:40px;max-height:120px;margin:0;padding:9px 11px;border:1px solid #c5ccd8;border-radius:10px;resize:none;background:#fff;color:#1d2330}
.sbc-send{height:40px}
.sbc-visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){.sbc-panel{position:fixed;inset:0;width:auto;height:auto;border-radius:0}.sbc-open .sbc-launcher{display:none}}
`;

  // Last, so that the constants and classes above exist when start() runs synchronously.
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
