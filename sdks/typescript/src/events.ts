// Seed 000's WebSocket feed (/websocket): frames {"event", "timestamp", "data"} as typed events.
// Browsers cannot set headers on a WebSocket, so the key travels as the `token` query parameter.
import { SwitchboardError } from "./errors.js";
import { DEFAULT_BASE_URL } from "./transport.js";

export interface SwitchboardEvent {
  event: string; // queue_update, sentiment_alert, system_status
  timestamp: string | null;
  data: Record<string, unknown>;
}

export function parseFrame(frame: string): SwitchboardEvent {
  let body: unknown;
  try {
    body = JSON.parse(frame);
  } catch {
    throw new SwitchboardError(`WebSocket frame is not JSON: ${frame.slice(0, 100)}`);
  }
  const obj = body as Record<string, unknown> | null;
  if (typeof obj !== "object" || obj === null || typeof obj.event !== "string") {
    throw new SwitchboardError("WebSocket frame has no event name");
  }
  const data = typeof obj.data === "object" && obj.data !== null ? (obj.data as Record<string, unknown>) : { value: obj.data };
  return { event: obj.event, timestamp: typeof obj.timestamp === "string" ? obj.timestamp : null, data };
}

export function websocketUrl(baseUrl: string = DEFAULT_BASE_URL, token?: string): string {
  const url = new URL(baseUrl.replace(/^http/, "ws").replace(/\/+$/, "") + "/websocket");
  if (token) url.searchParams.set("token", token);
  return url.toString();
}

export interface EventStreamOptions {
  apiKey?: string;
  baseUrl?: string;
  only?: string[];
  /** The WebSocket class (default: the global one of browsers and Node 22+). */
  WebSocket?: typeof WebSocket;
}

/** `for await (const event of events({apiKey, baseUrl}))`: ends when the server closes the socket. */
export async function* events(options: EventStreamOptions = {}): AsyncGenerator<SwitchboardEvent> {
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  if (!Socket) throw new SwitchboardError("no WebSocket implementation: pass options.WebSocket");
  const ws = new Socket(websocketUrl(options.baseUrl, options.apiKey));
  const queue: Array<SwitchboardEvent | Error | null> = [];
  let wake: (() => void) | null = null;
  const push = (item: SwitchboardEvent | Error | null) => {
    queue.push(item);
    wake?.();
  };
  ws.onmessage = (msg: MessageEvent) => {
    try {
      const event = parseFrame(String(msg.data));
      if (!options.only || options.only.includes(event.event)) push(event);
    } catch (error) {
      push(error as Error);
    }
  };
  ws.onerror = () => push(new SwitchboardError("WebSocket error"));
  ws.onclose = () => push(null);
  try {
    for (;;) {
      if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      const item = queue.shift();
      if (item === null || item === undefined) return;
      if (item instanceof Error) throw item;
      yield item;
    }
  } finally {
    ws.close();
  }
}
