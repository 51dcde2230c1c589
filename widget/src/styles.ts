import type { WidgetConfig } from "./config.js";

// Inside a shadow root: the host page's CSS cannot reach the widget, nor the widget's the page.
export function css(config: WidgetConfig): string {
  const t = config.theme;
  const [vertical, horizontal] = config.position.split("-");
  return `
:host { all: initial; }
.sb { position: fixed; ${vertical}: 20px; ${horizontal}: 20px; z-index: 2147483000; font-family: ${t.fontFamily};
  color: ${t.text}; display: flex; flex-direction: ${vertical === "bottom" ? "column-reverse" : "column"};
  align-items: ${horizontal === "right" ? "flex-end" : "flex-start"}; gap: 12px; }
.launcher { width: 56px; height: 56px; border-radius: 50%; border: none; background: ${t.primaryColor}; color: #fff;
  cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: grid; place-items: center; }
button:focus-visible, textarea:focus-visible { outline: 3px solid ${t.primaryColor}; outline-offset: 2px; }
.panel { width: min(360px, calc(100vw - 40px)); height: min(520px, calc(100vh - 120px)); background: ${t.background};
  border-radius: ${t.borderRadius}; box-shadow: 0 8px 30px rgba(0,0,0,.3); display: flex; flex-direction: column;
  overflow: hidden; }
.panel[hidden] { display: none; }
header { background: ${t.primaryColor}; color: #fff; padding: 12px 16px; display: flex; align-items: center;
  justify-content: space-between; font-weight: 600; }
header button { background: transparent; border: none; color: #fff; font-size: 20px; cursor: pointer; }
.log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
.msg { max-width: 85%; padding: 8px 12px; border-radius: ${t.borderRadius}; white-space: pre-wrap; line-height: 1.4;
  font-size: 14px; }
.msg.user { align-self: flex-end; background: ${t.primaryColor}; color: #fff; }
.msg.ai, .msg.agent { align-self: flex-start; background: rgba(127,127,127,.14); }
.msg.system { align-self: center; font-size: 13px; color: ${t.muted}; background: transparent; text-align: center; }
.sources { margin: 6px 0 0; padding: 0; list-style: none; font-size: 12px; color: ${t.muted}; }
.error { margin: 0 12px; padding: 8px 12px; border-radius: 8px; background: #fff4e5; color: #5c3c00; font-size: 13px;
  display: flex; gap: 8px; align-items: center; justify-content: space-between; }
.error[hidden] { display: none; }
.error button { border: 1px solid currentColor; background: transparent; color: inherit; border-radius: 6px;
  padding: 4px 10px; cursor: pointer; }
form { display: flex; gap: 8px; padding: 12px; border-top: 1px solid rgba(127,127,127,.25); }
textarea { flex: 1; resize: none; font: inherit; font-size: 14px; padding: 8px; border-radius: 8px;
  border: 1px solid rgba(127,127,127,.5); background: transparent; color: inherit; }
form button { background: ${t.primaryColor}; color: #fff; border: none; border-radius: 8px; padding: 0 14px;
  cursor: pointer; font: inherit; }
form button:disabled { opacity: .6; cursor: progress; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
}
