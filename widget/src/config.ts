// Seed 003's snippet configuration: window.SwitchboardConfig (or the seed's own window.OurPlatformConfig) made whole.

export interface Theme {
  primaryColor: string;
  fontFamily: string;
  borderRadius: string;
  background: string;
  text: string;
  muted: string;
}

export interface WidgetConfig {
  apiKey: string;
  baseUrl: string;
  position: "bottom-right" | "bottom-left" | "top-right" | "top-left";
  theme: Theme;
  greeting: string;
  title: string;
  behavior: { autoOpen: boolean; showOnPages: string[] | null; hideOnMobile: boolean };
}

const LIGHT: Theme = {
  primaryColor: "#1f6feb", fontFamily: "system-ui, sans-serif", borderRadius: "12px",
  background: "#ffffff", text: "#1b1f24", muted: "#57606a",
};
const DARK: Theme = { ...LIGHT, primaryColor: "#58a6ff", background: "#161b22", text: "#e6edf3", muted: "#9da7b3" };
const POSITIONS = ["bottom-right", "bottom-left", "top-right", "top-left"] as const;

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback: string) => (typeof v === "string" && v.trim() ? v : fallback);

function theme(value: unknown): Theme {
  if (value === "dark") return DARK;
  if (!isObject(value)) return LIGHT;
  return {
    ...LIGHT,
    primaryColor: str(value.primaryColor, LIGHT.primaryColor),
    fontFamily: str(value.fontFamily, LIGHT.fontFamily),
    borderRadius: str(value.borderRadius, LIGHT.borderRadius),
  };
}

/** The gateway is where this script was loaded from, unless the page says otherwise: no other host is ever called. */
export function readConfig(win: Window, scriptSrc: string | null): WidgetConfig | null {
  const w = win as unknown as Raw;
  const raw = isObject(w.SwitchboardConfig) ? w.SwitchboardConfig : isObject(w.OurPlatformConfig) ? w.OurPlatformConfig : null;
  if (!raw) return null;
  const behavior = isObject(raw.behavior) ? raw.behavior : {};
  const pages = Array.isArray(behavior.showOnPages) ? behavior.showOnPages.filter((p): p is string => typeof p === "string") : null;
  const origin = scriptSrc ? new URL(scriptSrc, win.location.href).origin : win.location.origin;
  return {
    apiKey: str(raw.apiKey, ""),
    baseUrl: str(raw.baseUrl, origin).replace(/\/+$/, ""),
    position: POSITIONS.find((p) => p === raw.position) ?? "bottom-right",
    theme: theme(raw.theme),
    greeting: str(raw.greeting, "Hi! How can I help you today?"),
    title: str(raw.title, "Chat with us"),
    behavior: { autoOpen: behavior.autoOpen === true, showOnPages: pages, hideOnMobile: behavior.hideOnMobile === true },
  };
}

/** showOnPages entries are paths; `/help` matches `/help` and `/help/...`, a trailing `*` matches any prefix. */
export function shownOn(path: string, pages: string[] | null): boolean {
  if (!pages || pages.length === 0) return true;
  return pages.some((page) => {
    if (page.endsWith("*")) return path.startsWith(page.slice(0, -1));
    const bare = page.replace(/\/+$/, "") || "/";
    return path === bare || path.startsWith(bare === "/" ? "/" : `${bare}/`);
  });
}

/** Secret keys must never sit in a page's source (seed 003): the widget only runs with a publishable `pk_` key. */
export const isPublishable = (key: string) => key.startsWith("pk_");
