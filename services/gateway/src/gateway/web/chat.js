// The web chat. No framework, no build step. Everything the model, a tool or the user
// wrote reaches the page as text nodes: the Markdown renderer below builds elements from a
// small whitelist and never assigns HTML, so nothing in an answer can become markup.
"use strict";

(() => {
  const TOKEN_KEY = "copperpot.chat.token";
  const $ = (id) => document.getElementById(id);

  const ui = {
    signin: $("signin"),
    signinForm: $("signin-form"),
    signinError: $("signin-error"),
    tokenInput: $("token-input"),
    session: $("session"),
    userName: $("user-name"),
    conversation: $("conversation"),
    empty: $("empty"),
    messages: $("messages"),
    composer: $("composer"),
    form: $("ask-form"),
    question: $("question"),
    send: $("send"),
    stop: $("stop"),
    main: document.querySelector(".main"),
  };

  let token = null;
  let busy = null; // the AbortController of the stream in progress

  // ---- Markdown, safely -------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function safeUrl(raw) {
    try {
      const url = new URL(raw);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch {
      return null;
    }
  }

  function link(text, href) {
    const a = el("a");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer nofollow";
    appendInline(a, text);
    return a;
  }

  const INLINE = [
    { re: /`([^`\n]+)`/, make: (m) => el("code", null, m[1]) },
    { re: /\*\*(?=\S)([\s\S]*?\S)\*\*/, make: (m) => wrap("strong", m[1]) },
    { re: /__(?=\S)([\s\S]*?\S)__(?!\w)/, make: (m) => wrap("strong", m[1]) },
    { re: /~~(?=\S)([\s\S]*?\S)~~/, make: (m) => wrap("del", m[1]) },
    { re: /\*(?=[^\s*])([^*\n]*?[^\s*])\*/, make: (m) => wrap("em", m[1]) },
    { re: /(?<![\w])_(?=[^\s_])([^_\n]*?[^\s_])_(?!\w)/, make: (m) => wrap("em", m[1]) },
    {
      re: /\[([^\]\n]+)\]\(([^)\s]+)\)/,
      make: (m) => {
        const href = safeUrl(m[2]);
        return href ? link(m[1], href) : document.createTextNode(m[1]);
      },
    },
    {
      re: /https?:\/\/[^\s<>()"]+[^\s<>()".,;:!?']/,
      make: (m) => {
        const href = safeUrl(m[0]);
        return href ? link(m[0], href) : document.createTextNode(m[0]);
      },
    },
  ];

  function wrap(tag, text) {
    const node = el(tag);
    appendInline(node, text);
    return node;
  }

  // Text with inline Markdown, appended to `parent` as text nodes and whitelisted elements.
  function appendInline(parent, text) {
    let rest = text;
    while (rest) {
      let best = null;
      for (const rule of INLINE) {
        const match = rule.re.exec(rest);
        if (match && (best === null || match.index < best.match.index)) {
          best = { rule, match };
        }
      }
      if (best === null) {
        parent.appendChild(document.createTextNode(rest));
        return;
      }
      if (best.match.index > 0) {
        parent.appendChild(document.createTextNode(rest.slice(0, best.match.index)));
      }
      parent.appendChild(best.rule.make(best.match));
      rest = rest.slice(best.match.index + best.match[0].length);
    }
  }

  function appendLines(parent, lines) {
    lines.forEach((line, index) => {
      if (index > 0) parent.appendChild(el("br"));
      appendInline(parent, line);
    });
  }

  const BULLET = /^\s*[-*•+]\s+(.*)$/;
  const NUMBERED = /^\s*(\d{1,3})[.)]\s+(.*)$/;
  const HEADING = /^\s*(#{1,6})\s+(.*)$/;
  const FENCE = /^\s*```/;
  const TABLE_ROW = /^\s*\|.*\|\s*$/;
  const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

  function cells(row) {
    return row.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
  }

  // Markdown to a fragment: paragraphs, headings, lists, code blocks, tables; inline
  // bold, italic, strike-through, code and http(s) links. Anything else stays text.
  function renderMarkdown(markdown) {
    const out = document.createDocumentFragment();
    const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (!line.trim()) {
        i += 1;
        continue;
      }
      if (FENCE.test(line)) {
        const code = [];
        i += 1;
        while (i < lines.length && !FENCE.test(lines[i])) code.push(lines[i++]);
        i += 1;
        const pre = el("pre");
        pre.appendChild(el("code", null, code.join("\n")));
        out.appendChild(pre);
        continue;
      }
      const heading = HEADING.exec(line);
      if (heading) {
        const h = el(heading[1].length <= 2 ? "h3" : "h4");
        appendInline(h, heading[2]);
        out.appendChild(h);
        i += 1;
        continue;
      }
      if (TABLE_ROW.test(line) && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1])) {
        const table = el("table");
        const head = el("tr");
        cells(line).forEach((c) => appendInline(head.appendChild(el("th")), c));
        table.appendChild(el("thead")).appendChild(head);
        const body = table.appendChild(el("tbody"));
        i += 2;
        while (i < lines.length && TABLE_ROW.test(lines[i])) {
          const tr = body.appendChild(el("tr"));
          cells(lines[i++]).forEach((c) => appendInline(tr.appendChild(el("td")), c));
        }
        out.appendChild(table);
        continue;
      }
      if (BULLET.test(line) || NUMBERED.test(line)) {
        const numbered = !BULLET.test(line);
        const list = el(numbered ? "ol" : "ul");
        if (numbered) {
          const start = Number(NUMBERED.exec(line)[1]);
          if (start > 1) list.start = start;
        }
        while (i < lines.length) {
          const item = (numbered ? NUMBERED : BULLET).exec(lines[i]);
          if (item) {
            appendInline(list.appendChild(el("li")), item[numbered ? 2 : 1]);
            i += 1;
          } else if (lines[i].trim() && /^\s{2,}\S/.test(lines[i]) && list.lastChild) {
            // A continuation line of the item above.
            list.lastChild.appendChild(el("br"));
            appendInline(list.lastChild, lines[i].trim());
            i += 1;
          } else {
            break;
          }
        }
        out.appendChild(list);
        continue;
      }
      const paragraph = [];
      while (
        i < lines.length &&
        lines[i].trim() &&
        !FENCE.test(lines[i]) &&
        !HEADING.test(lines[i]) &&
        !BULLET.test(lines[i]) &&
        !NUMBERED.test(lines[i])
      ) {
        paragraph.push(lines[i++]);
      }
      const p = el("p");
      appendLines(p, paragraph);
      out.appendChild(p);
    }
    return out;
  }

  // ---- The API ----------------------------------------------------------------------

  class SignedOut extends Error {}

  async function api(path, options = {}) {
    const response = await fetch(path, {
      ...options,
      headers: { Authorization: `Bearer ${token}`, ...(options.headers || {}) },
    });
    if (response.status === 401) throw new SignedOut();
    return response;
  }

  async function problemText(response) {
    try {
      const body = await response.json();
      return body.detail || body.title || `HTTP ${response.status}`;
    } catch {
      return `HTTP ${response.status}`;
    }
  }

  // POST `body` to `path` and call `onEvent(name, data)` for each server-sent event.
  async function stream(path, body, onEvent, signal) {
    const response = await api(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(body),
      signal,
    });
    if (!response.ok) throw new Error(await problemText(response));
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
    }
  }

  // ---- Rendering --------------------------------------------------------------------

  function scrollToEnd() {
    ui.main.scrollTop = ui.main.scrollHeight;
  }

  function nearEnd() {
    return ui.main.scrollHeight - ui.main.scrollTop - ui.main.clientHeight < 120;
  }

  function addUser(text) {
    const li = el("li", "msg user");
    li.appendChild(el("div", "bubble", text));
    ui.messages.appendChild(li);
    ui.empty.hidden = true;
    return li;
  }

  function addNote(text) {
    const li = el("li", "msg note");
    li.appendChild(el("div", "bubble", text));
    ui.messages.appendChild(li);
    ui.empty.hidden = true;
  }

  function toolLabel(name) {
    const [agent, operation] = name.includes("__") ? name.split("__", 2) : ["", name];
    const words = operation.replace(/_/g, " ");
    return {
      agent: agent ? agent.charAt(0).toUpperCase() + agent.slice(1) : "",
      operation: words.charAt(0).toUpperCase() + words.slice(1),
    };
  }

  function formatDuration(ms) {
    if (ms < 1000) return `${Math.round(ms)} ms`;
    return `${(ms / 1000).toFixed(1)} s`;
  }

  function argsText(args) {
    if (!args || typeof args !== "object") return "";
    return Object.entries(args)
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(" ");
  }

  // One assistant turn: tool calls, approvals, the answer as it is written.
  class AssistantTurn {
    constructor() {
      this.li = el("li", "msg assistant");
      this.li.appendChild(el("div", "who", "Assistant"));
      this.bubble = this.li.appendChild(el("div", "bubble"));
      this.tools = this.bubble.appendChild(el("div", "tools"));
      this.answer = this.bubble.appendChild(el("div", "answer"));
      this.approvals = this.bubble.appendChild(el("div", "approvals"));
      this.toolNodes = new Map();
      this.text = "";
      this.pending = false;
      ui.messages.appendChild(this.li);
      ui.empty.hidden = true;
    }

    thinking(on) {
      if (on && !this.dots) {
        this.dots = el("div", "thinking");
        for (let i = 0; i < 3; i += 1) this.dots.appendChild(el("span"));
        this.bubble.insertBefore(this.dots, this.answer);
      } else if (!on && this.dots) {
        this.dots.remove();
        this.dots = null;
      }
    }

    appendText(delta) {
      this.thinking(false);
      this.text += delta;
      this.answer.classList.add("streaming");
      // One render per frame, however many deltas arrive in it.
      if (!this.pending) {
        this.pending = true;
        requestAnimationFrame(() => {
          this.pending = false;
          this.setAnswer(this.text, true);
        });
      }
    }

    setAnswer(markdown, streaming = false) {
      const follow = nearEnd();
      this.answer.replaceChildren(renderMarkdown(markdown));
      this.answer.classList.toggle("streaming", streaming);
      if (follow) scrollToEnd();
    }

    finish(markdown) {
      this.thinking(false);
      this.text = markdown;
      this.setAnswer(markdown, false);
    }

    toolStarted(id, name, args) {
      if (this.text) {
        // Text before a tool call only introduced it; the answer comes after the calls.
        this.text = "";
        this.answer.replaceChildren();
      }
      const follow = nearEnd();
      const label = toolLabel(name);
      const row = el("div", "tool running");
      row.dataset.tool = name;
      row.appendChild(el("span", "icon"));
      if (label.agent) row.appendChild(el("span", "agent", label.agent));
      row.appendChild(el("span", "name", label.operation));
      const shown = argsText(args);
      if (shown) {
        const a = row.appendChild(el("span", "args", shown));
        a.title = shown;
      }
      row.appendChild(el("span", "duration", "…"));
      this.tools.appendChild(row);
      this.toolNodes.set(id, row);
      this.thinking(false);
      this.thinking(true);
      if (follow) scrollToEnd();
    }

    toolFinished(id, ok, ms) {
      const row = this.toolNodes.get(id);
      if (!row) return;
      row.classList.remove("running");
      row.classList.add(ok ? "ok" : "failed");
      row.querySelector(".duration").textContent = formatDuration(ms);
      row.title = ok ? "Done" : "Failed";
    }

    addApproval(approval) {
      const follow = nearEnd();
      this.approvals.appendChild(approvalCard(approval));
      if (follow) scrollToEnd();
    }

    fail(message) {
      this.thinking(false);
      this.answer.classList.remove("streaming");
      this.bubble.appendChild(el("div", "error", message));
    }

    meta(text) {
      this.li.appendChild(el("div", "meta", text));
    }
  }

  const STATUS_TEXT = {
    pending: "Waiting for your decision",
    approved: "Approved",
    done: "Approved · done",
    failed: "Approved · it failed",
    cancelled: "Cancelled",
    expired: "Expired",
  };

  function approvalCard(approval) {
    const card = el("div", "approval");
    card.dataset.approval = approval.id;
    card.appendChild(el("p", "title", "Approve this change?"));
    card.appendChild(el("p", "summary", approval.summary));
    const actions = card.appendChild(el("div", "actions"));
    setApprovalStatus(card, approval.status);
    if (approval.status === "pending") {
      const yes = actions.appendChild(el("button", "approve", "Approve"));
      const no = actions.appendChild(el("button", "cancel", "Cancel"));
      yes.type = no.type = "button";
      yes.addEventListener("click", () => decide(approval, "approve", card));
      no.addEventListener("click", () => decide(approval, "cancel", card));
    }
    return card;
  }

  function setApprovalStatus(card, status) {
    card.className = `approval ${status}`;
    const actions = card.querySelector(".actions");
    if (status !== "pending") {
      actions.replaceChildren(el("span", "status", STATUS_TEXT[status] || status));
      card.querySelector(".title").textContent = "Proposed change";
    }
  }

  function findCard(id) {
    return [...document.querySelectorAll(".approval")].find((c) => c.dataset.approval === id);
  }

  // ---- Conversation -----------------------------------------------------------------

  function setBusy(controller) {
    busy = controller;
    ui.send.hidden = Boolean(controller);
    ui.stop.hidden = !controller;
    ui.conversation.setAttribute("aria-busy", controller ? "true" : "false");
    document.querySelectorAll(".approval .actions button, .suggestion").forEach((b) => {
      b.disabled = Boolean(controller);
    });
  }

  // Feed one stream's events into `turn`; returns when the stream ends.
  async function run(path, body, turn, onApproval) {
    const controller = new AbortController();
    setBusy(controller);
    turn.thinking(true);
    let finished = false;
    try {
      await stream(
        path,
        body,
        (name, data) => {
          switch (name) {
            case "text":
              turn.appendText(data.text);
              break;
            case "tool_started":
              turn.toolStarted(data.id, data.tool, data.arguments);
              break;
            case "tool_finished":
              turn.toolFinished(data.id, data.ok, data.duration_ms);
              turn.thinking(false);
              turn.thinking(true);
              break;
            case "approval":
              if (onApproval && onApproval(data)) break;
              turn.addApproval(data);
              break;
            case "message":
              turn.finish(data.text);
              break;
            case "done":
              finished = true;
              break;
            case "error":
              finished = true;
              turn.fail(data.detail || data.title || "Something went wrong.");
              break;
            default:
              break;
          }
        },
        controller.signal,
      );
      if (!finished) turn.fail("The connection was lost before the answer was complete.");
    } catch (error) {
      if (error instanceof SignedOut) {
        signOut("Your session has ended. Sign in again.");
      } else if (controller.signal.aborted) {
        turn.fail("Stopped. This question was not kept.");
      } else {
        turn.fail(error.message || "Something went wrong.");
      }
    } finally {
      turn.thinking(false);
      setBusy(null);
    }
  }

  async function ask(question) {
    if (busy || !question.trim()) return;
    addUser(question);
    scrollToEnd();
    const turn = new AssistantTurn();
    scrollToEnd();
    await run("/agent/stream", { question }, turn);
    ui.question.focus();
  }

  async function decide(approval, decision, card) {
    if (busy) return;
    card.querySelectorAll("button").forEach((b) => {
      b.disabled = true;
    });
    // The answer that follows an approved change gets its own bubble, after the note.
    const turn = new AssistantTurn();
    turn.li.hidden = true;
    const onApproval = (data) => {
      if (data.id !== approval.id) return false;
      setApprovalStatus(card, data.status);
      const made = data.status === "done" || data.status === "failed";
      if (made) {
        addNote(data.status === "done" ? "You approved the change" : "The approved change failed");
        ui.messages.appendChild(turn.li);
        turn.li.hidden = false;
      } else {
        addNote(data.status === "cancelled" ? "You cancelled the change" : "The request expired");
      }
      scrollToEnd();
      return true;
    };
    await run(`/agent/approvals/${encodeURIComponent(approval.id)}`, { decision }, turn, onApproval);
    if (turn.li.hidden) {
      if (turn.bubble.querySelector(".error")) {
        ui.messages.appendChild(turn.li);
        turn.li.hidden = false;
      } else {
        turn.li.remove();
      }
    }
    scrollToEnd();
  }

  async function loadHistory() {
    const response = await api("/agent/history");
    if (!response.ok) throw new Error(await problemText(response));
    const conversation = await response.json();
    ui.userName.textContent = conversation.user;
    ui.messages.replaceChildren();
    for (const t of conversation.turns) {
      if (t.decision) {
        const status = t.decision.status;
        addNote(status === "failed" ? "The approved change failed" : "You approved the change");
      } else if (t.question !== null) {
        addUser(t.question);
      }
      const turn = new AssistantTurn();
      for (const call of t.tool_calls) {
        turn.toolStarted(call.id, call.tool, call.arguments);
        turn.toolFinished(call.id, call.ok, call.duration_ms);
      }
      turn.finish(t.answer);
      for (const approval of t.approvals) turn.addApproval(approval);
    }
    ui.empty.hidden = conversation.turns.length > 0;
    scrollToEnd();
  }

  // ---- Session ------------------------------------------------------------------------

  function showSignIn(message) {
    ui.signin.hidden = false;
    ui.conversation.hidden = true;
    ui.composer.hidden = true;
    ui.session.hidden = true;
    ui.signinError.hidden = !message;
    ui.signinError.textContent = message || "";
    ui.tokenInput.focus();
  }

  function signOut(message) {
    token = null;
    localStorage.removeItem(TOKEN_KEY);
    ui.messages.replaceChildren();
    showSignIn(message);
  }

  async function start() {
    ui.signin.hidden = true;
    ui.conversation.hidden = false;
    ui.composer.hidden = false;
    ui.session.hidden = false;
    try {
      await loadHistory();
    } catch (error) {
      if (error instanceof SignedOut) {
        signOut("That token was not accepted.");
        return;
      }
      ui.empty.hidden = true;
      addNote(`Could not load the conversation: ${error.message}`);
    }
    ui.question.focus();
  }

  function tokenFromFragment() {
    // `#token=…` keeps the token out of server logs and the Referer header.
    const params = new URLSearchParams(location.hash.slice(1));
    const found = params.get("token");
    if (found) history.replaceState(null, "", location.pathname + location.search);
    return found;
  }

  function autosize() {
    ui.question.style.height = "auto";
    ui.question.style.height = `${Math.min(ui.question.scrollHeight, 200)}px`;
  }

  function init() {
    const fromLink = tokenFromFragment();
    if (fromLink) localStorage.setItem(TOKEN_KEY, fromLink);
    token = localStorage.getItem(TOKEN_KEY);

    ui.signinForm.addEventListener("submit", (event) => {
      event.preventDefault();
      token = ui.tokenInput.value.trim();
      ui.tokenInput.value = "";
      localStorage.setItem(TOKEN_KEY, token);
      start();
    });
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const question = ui.question.value;
      if (busy || !question.trim()) return;
      ui.question.value = "";
      autosize();
      ask(question);
    });
    ui.question.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        ui.form.requestSubmit();
      }
    });
    ui.question.addEventListener("input", autosize);
    ui.stop.addEventListener("click", () => busy && busy.abort());
    document.querySelectorAll(".suggestion").forEach((button) => {
      button.addEventListener("click", () => ask(button.textContent));
    });
    $("new-chat").addEventListener("click", async () => {
      if (busy) return;
      setBusy(new AbortController()); // nothing is asked while the old conversation closes
      try {
        const response = await api("/agent/history", { method: "DELETE" });
        if (!response.ok) throw new Error(await problemText(response));
        ui.messages.replaceChildren();
        ui.empty.hidden = false;
      } catch (error) {
        if (error instanceof SignedOut) signOut("Your session has ended. Sign in again.");
        else addNote(`Could not start a new conversation: ${error.message}`);
      } finally {
        setBusy(null);
        ui.question.focus();
      }
    });
    $("sign-out").addEventListener("click", () => signOut());

    if (token) start();
    else showSignIn();
  }

  init();
})();
