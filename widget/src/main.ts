// Entry of /widget.js: read the snippet's config, decide whether to show, then wire launcher, panel and gateway.
import { ConversationApi, GatewayError } from "./api.js";
import { isPublishable, readConfig, shownOn, type WidgetConfig } from "./config.js";
import { addTurn, build, setOpen, showError, type View } from "./ui.js";

const VISITOR_KEY = "switchboard.visitor";
const CONVERSATION_KEY = "switchboard.conversation";
const HANDOFF_NOTICE = "A person from our team has joined — they'll reply here.";

function stored(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage blocked (private mode): the conversation lives as long as the page
  }
}

function store(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // see stored()
  }
}

function forget(key: string): void {
  try {
    window.localStorage.removeItem(key);
  } catch {
    // see stored()
  }
}

function visitorId(): string {
  const known = stored(VISITOR_KEY);
  if (known) return known;
  // Unguessable: with a publishable key the visitor id is what makes a conversation this visitor's own.
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const random = crypto.getRandomValues(new Uint8Array(24));
  const fresh = `visitor_${Array.from(random, (b) => alphabet[b % alphabet.length]).join("")}`;
  store(VISITOR_KEY, fresh);
  return fresh;
}

async function restore(view: View, api: ConversationApi, config: WidgetConfig): Promise<void> {
  const id = stored(CONVERSATION_KEY);
  const past = id ? await api.history(id) : null;
  if (id && past === null) forget(CONVERSATION_KEY); // gone or not this visitor's: the next message starts anew
  addTurn(view, { sender: "ai", content: config.greeting, sources: [] });
  for (const turn of past?.turns ?? []) addTurn(view, turn);
  if (past?.escalated) addTurn(view, { sender: "system", content: HANDOFF_NOTICE, sources: [] });
}

function wire(view: View, api: ConversationApi): void {
  let pending: string | null = null;
  const submit = async () => {
    const text = pending ?? view.input.value.trim();
    if (!text || view.send.disabled) return;
    if (pending === null) addTurn(view, { sender: "user", content: text, sources: [] });
    pending = text;
    view.send.disabled = true;
    showError(view, null);
    try {
      const answer = await api.send(text, stored(CONVERSATION_KEY));
      store(CONVERSATION_KEY, answer.conversationId);
      pending = null;
      view.input.value = "";
      addTurn(view, answer.turn);
      if (answer.escalated) addTurn(view, { sender: "system", content: HANDOFF_NOTICE, sources: [] });
    } catch (error) {
      // The typed message stays in the box and in `pending`: Retry (or Send) sends exactly it again.
      const reason = error instanceof GatewayError ? error.message : "Something went wrong.";
      showError(view, `${reason} Your message wasn't lost.`);
    } finally {
      view.send.disabled = false;
    }
  };
  view.send.form?.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit();
  });
  view.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      void submit();
    }
  });
  view.input.addEventListener("input", () => {
    if (pending !== null && view.input.value.trim() !== pending) pending = null; // the visitor edited: a new message
  });
  view.retry.addEventListener("click", () => void submit());
  view.launcher.addEventListener("click", () => setOpen(view, view.panel.hidden));
  view.root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !view.panel.hidden) setOpen(view, false);
  });
}

function start(script: string | null): void {
  const config = readConfig(window, script);
  if (!config) return;
  if (!isPublishable(config.apiKey)) {
    console.error("Switchboard widget: apiKey must be a publishable key (pk_…); never put a secret key in a page.");
    return;
  }
  if (!shownOn(window.location.pathname, config.behavior.showOnPages)) return;
  if (config.behavior.hideOnMobile && window.matchMedia("(max-width: 767px)").matches) return;
  const view = build(config);
  const api = new ConversationApi(config.baseUrl, config.apiKey, visitorId());
  wire(view, api);
  void restore(view, api, config).then(() => {
    if (config.behavior.autoOpen) setOpen(view, true);
  });
}

// currentScript is only set while the script first runs, so read it now; the snippet loads us `async`.
const script = document.currentScript instanceof HTMLScriptElement ? document.currentScript.src : null;
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => start(script));
else start(script);
