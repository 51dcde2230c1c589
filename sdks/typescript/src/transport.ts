// HTTP core: auth, timeouts, retries with backoff that honour the gateway's Retry-After and rate-limit headers.
import { APIConnectionError, APITimeoutError, errorFromResponse } from "./errors.js";

export const DEFAULT_BASE_URL = "http://127.0.0.1:8080";
const RETRY_STATUSES = new Set([429, 503]);
// Each seed names its rate-limit headers differently (seed 000 hyphenates "Rate-Limit").
const RESET_HEADERS = ["x-ratelimit-reset", "x-rate-limit-reset"];
const REMAINING_HEADERS = ["x-ratelimit-remaining", "x-rate-limit-remaining"];

export interface ClientOptions {
  /** API key or JWT, sent as a Bearer token; else $SWITCHBOARD_API_KEY where there is a process environment. */
  apiKey?: string;
  /** The gateway; else $SWITCHBOARD_BASE_URL, else http://127.0.0.1:8080. */
  baseUrl?: string;
  /** Per attempt, in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Retries of 429, 503 and network failures (default 2). */
  maxRetries?: number;
  /** A server asking to wait longer than this (an hourly quota) is not waited for (default 60 000 ms). */
  maxServerWaitMs?: number;
  defaultHeaders?: Record<string, string>;
  fetch?: typeof fetch;
}

export interface ApiRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  json?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  headers?: Record<string, string>;
  authenticated?: boolean;
}

function env(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.[name];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Milliseconds the gateway asks us to wait: Retry-After (seconds or HTTP date), else an exhausted window's reset. */
export function serverWaitMs(headers: Headers, now: number = Date.now()): number | null {
  const retryAfter = headers.get("retry-after");
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (!Number.isNaN(seconds)) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const remaining = REMAINING_HEADERS.map((h) => headers.get(h)).find((v) => v !== null);
  const reset = RESET_HEADERS.map((h) => headers.get(h)).find((v) => v !== null);
  if (remaining === "0" && reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now) + 50;
  return null;
}

export class Transport {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxServerWaitMs: number;
  private readonly defaultHeaders: Record<string, string>;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions = {}) {
    this.apiKey = options.apiKey ?? env("SWITCHBOARD_API_KEY");
    this.baseUrl = (options.baseUrl ?? env("SWITCHBOARD_BASE_URL") ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 2;
    this.maxServerWaitMs = options.maxServerWaitMs ?? 60_000;
    this.defaultHeaders = options.defaultHeaders ?? {};
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  private url(req: ApiRequest): string {
    const url = new URL(this.baseUrl + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  private headers(req: ApiRequest): Record<string, string> {
    const headers: Record<string, string> = { Accept: "application/json", ...this.defaultHeaders };
    if (req.authenticated !== false && this.apiKey) headers.Authorization = `Bearer ${this.apiKey}`;
    if (req.json !== undefined) headers["Content-Type"] = "application/json";
    // One key for every attempt, so a retried POST whose first answer was lost is not done twice.
    if (req.method === "POST") headers["Idempotency-Key"] = `sdk_${crypto.randomUUID().replaceAll("-", "")}`;
    return { ...headers, ...req.headers };
  }

  /** The wait before retry `attempt + 1`, or null when this outcome is final. */
  private delayMs(attempt: number, response: Response | null): number | null {
    if (attempt >= this.maxRetries) return null;
    const backoff = Math.random() * Math.min(8000, 500 * 2 ** attempt); // full jitter: refused clients spread out
    if (response === null) return backoff;
    if (!RETRY_STATUSES.has(response.status)) return null;
    const wait = serverWaitMs(response.headers);
    if (wait === null) return backoff;
    return wait <= this.maxServerWaitMs ? wait : null;
  }

  async call<T = unknown>(req: ApiRequest): Promise<T> {
    const url = this.url(req);
    const init = { method: req.method, headers: this.headers(req), body: req.json === undefined ? undefined : JSON.stringify(req.json) };
    for (let attempt = 0; ; attempt++) {
      let response: Response | null = null;
      let failure: unknown = null;
      try {
        response = await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (error) {
        failure = error;
      }
      const wait = this.delayMs(attempt, response);
      if (wait === null) {
        if (response === null) throw networkError(failure, attempt + 1);
        return (await result(response)) as T;
      }
      await response?.body?.cancel();
      await sleep(wait);
    }
  }
}

async function result(response: Response): Promise<unknown> {
  if (response.status >= 400) throw await errorFromResponse(response);
  const raw = await response.text();
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function networkError(failure: unknown, attempts: number): APIConnectionError {
  const name = (failure as { name?: string } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new APITimeoutError(`request timed out after ${attempts} attempt(s)`, attempts, { cause: failure });
  }
  return new APIConnectionError(`could not reach the gateway after ${attempts} attempt(s): ${String(failure)}`, attempts, {
    cause: failure,
  });
}
