// The launcher and panel: a labelled dialog, a polite live log, a labelled input; Escape closes and returns focus.
import type { Turn } from "./api.js";
import type { WidgetConfig } from "./config.js";
import { css } from "./styles.js";

export interface View {
  root: HTMLElement;
  launcher: HTMLButtonElement;
  panel: HTMLElement;
  log: HTMLElement;
  input: HTMLTextAreaElement;
  send: HTMLButtonElement;
  error: HTMLElement;
  errorText: HTMLElement;
  retry: HTMLButtonElement;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text) node.textContent = text;
  return node;
}

/** A speech bubble drawn inline (no emoji font or image request needed), hidden from screen readers. */
function chatIcon(): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [k, v] of Object.entries({ viewBox: "0 0 24 24", width: "26", height: "26", "aria-hidden": "true" })) {
    svg.setAttribute(k, v);
  }
  const path = document.createElementNS(ns, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-4 4V5a2 2 0 0 1 2-2z");
  svg.append(path);
  return svg;
}

export function build(config: WidgetConfig): View {
  const host = el("div", { id: "switchboard-widget" });
  const shadow = host.attachShadow({ mode: "open" });
  const style = el("style");
  style.textContent = css(config);
  const root = el("div", { class: "sb" });
  const launcher = el("button", { class: "launcher", type: "button", "aria-label": "Open chat", "aria-expanded": "false",
    "aria-controls": "sb-panel" });
  launcher.append(chatIcon());
  const panel = el("section", { id: "sb-panel", class: "panel", role: "dialog", "aria-label": config.title, hidden: "" });
  const header = el("header");
  const close = el("button", { type: "button", "aria-label": "Close chat" }, "×");
  header.append(el("span", {}, config.title), close);
  const log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  const error = el("div", { class: "error", role: "alert", hidden: "" });
  const errorText = el("span");
  const retry = el("button", { type: "button" }, "Retry");
  error.append(errorText, retry);
  const form = el("form");
  const label = el("label", { for: "sb-input", class: "sr-only" }, "Your message");
  const input = el("textarea", { id: "sb-input", rows: "2", placeholder: "Type your message…" });
  const send = el("button", { type: "submit" }, "Send");
  form.append(label, input, send);
  panel.append(header, log, error, form);
  root.append(launcher, panel);
  shadow.append(style, root);
  document.body.append(host);
  close.addEventListener("click", () => setOpen(view, false));
  const view = { root, launcher, panel, log, input, send, error, errorText, retry };
  return view;
}

export function setOpen(view: View, open: boolean): void {
  view.panel.hidden = !open;
  view.launcher.setAttribute("aria-expanded", String(open));
  view.launcher.setAttribute("aria-label", open ? "Close chat" : "Open chat");
  if (open) view.input.focus();
  else view.launcher.focus();
}

/** The answer text without its trailing "Sources: [1] kb_..." block, which is shown as a list instead. */
function splitSources(turn: Turn): [string, string[]] {
  const match = /\n*Sources:([^\n]*)$/.exec(turn.content);
  if (!match) return [turn.content, turn.sources];
  const cited = turn.sources.length ? turn.sources : (match[1].match(/[\w.:-]+_[\w.:-]+/g) ?? []);
  return [turn.content.slice(0, match.index).trimEnd(), cited];
}

export function addTurn(view: View, turn: Turn): void {
  const [text, sources] = turn.sender === "ai" ? splitSources(turn) : [turn.content, []];
  const who = { user: "You", ai: "Assistant", agent: "Agent", system: "" }[turn.sender];
  const bubble = el("div", { class: `msg ${turn.sender}` });
  if (who) bubble.append(el("span", { class: "sr-only" }, `${who}: `));
  bubble.append(document.createTextNode(text));
  if (sources.length) {
    const list = el("ul", { class: "sources", "aria-label": "Sources" });
    for (const source of sources) list.append(el("li", {}, `Source: ${source}`));
    bubble.append(list);
  }
  view.log.append(bubble);
  view.log.scrollTop = view.log.scrollHeight;
}

export function showError(view: View, message: string | null): void {
  view.error.hidden = message === null;
  view.errorText.textContent = message ?? "";
}
