// The chat page's client, over a WebSocket or by long polling (the page's data-transport).
// Every URL is relative to the page, so it works at http://127.0.0.1:PORT/ and behind
// JupyterHub's proxy at /user/NAME/proxy/PORT/ alike.
"use strict";

const list = document.getElementById("messages");
const form = document.getElementById("compose");
const input = document.getElementById("body");
const status = document.getElementById("status");
const shown = new Set();

function show(message) {
  if (shown.has(message.id)) return;
  shown.add(message.id);
  const item = document.createElement("li");
  item.textContent = message.body;  // text, never HTML: a message cannot inject markup
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

function connectWebSocket() {
  const url = new URL("chatsocket", location.href);  // same host and path prefix as the page
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url);
  socket.onopen = () => { status.textContent = "connected over a WebSocket"; };
  socket.onmessage = (event) => show(JSON.parse(event.data));
  socket.onclose = (event) => {
    status.textContent = `disconnected: code ${event.code}` + (event.reason ? `, ${event.reason}` : "");
  };
  return (body) => socket.send(JSON.stringify({ body }));
}

function connectLongPolling() {
  let cursor = 0;
  async function poll() {
    for (;;) {
      try {
        const response = await fetch(`messages?after=${cursor}`, { cache: "no-store" });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        status.textContent = "connected by long polling";
        for (const message of (await response.json()).messages) {
          show(message);
          cursor = Math.max(cursor, message.id);
        }
      } catch (error) {
        status.textContent = `disconnected (${error.message}); trying again in 2 s`;
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }
  status.textContent = "waiting for messages by long polling";
  poll();
  return async () => {
    // The form holds the body and the _xsrf token that Tornado checks on every POST.
    const response = await fetch("messages", { method: "POST", body: new URLSearchParams(new FormData(form)) });
    if (!response.ok) status.textContent = `not sent: ${(await response.json()).error.message}`;
  };
}

const send = document.body.dataset.transport === "websocket" ? connectWebSocket() : connectLongPolling();
form.addEventListener("submit", (event) => {
  event.preventDefault();
  send(input.value);
  input.value = "";
});
