// Verify webhook deliveries with WebCrypto (Node 20+ and browsers alike): Standard Webhooks v1 and seed 003's
// `X-Webhook-Signature: sha256=<hex>`.
import { WebhookVerificationError } from "./errors.js";

const encoder = new TextEncoder();
export const DEFAULT_TOLERANCE_S = 300; // Standard Webhooks: refuse deliveries 5 minutes off (replays)

function keyBytes(secret: string): Uint8Array<ArrayBuffer> {
  // A `whsec_<base64>` secret is base64 key material (Standard Webhooks); any other string is used as is.
  if (secret.startsWith("whsec_")) return Uint8Array.from(atob(secret.slice(6)), (c) => c.charCodeAt(0));
  return encoder.encode(secret);
}

async function hmac(secret: string, payload: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", keyBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, payload));
}

const bytes = (payload: string | Uint8Array): Uint8Array<ArrayBuffer> =>
  typeof payload === "string" ? encoder.encode(payload) : new Uint8Array(payload);
const base64 = (data: Uint8Array) => btoa(String.fromCharCode(...data));
const hex = (data: Uint8Array) => Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");

/** Constant-time string comparison, so a forger learns nothing from how long a wrong guess took. */
function same(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}

export async function signStandard(secret: string, msgId: string, timestamp: number, payload: string | Uint8Array) {
  const body = bytes(payload);
  const signed = new Uint8Array([...encoder.encode(`${msgId}.${timestamp}.`), ...body]);
  return `v1,${base64(await hmac(secret, signed))}`;
}

export async function signSeed003(secret: string, payload: string | Uint8Array): Promise<string> {
  return `sha256=${hex(await hmac(secret, bytes(payload)))}`;
}

function lower(headers: Record<string, string> | Headers): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  return Object.fromEntries(entries.map(([k, v]) => [k.toLowerCase(), v]));
}

export async function verifyStandard(
  payload: string | Uint8Array,
  headers: Record<string, string> | Headers,
  secret: string,
  { toleranceS = DEFAULT_TOLERANCE_S, now = Date.now() / 1000 } = {},
): Promise<void> {
  const h = lower(headers);
  const [msgId, stamp, signatures] = [h["webhook-id"], h["webhook-timestamp"], h["webhook-signature"]];
  if (!msgId || !stamp || !signatures) {
    throw new WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header");
  }
  if (!/^\d+$/.test(stamp)) throw new WebhookVerificationError("webhook-timestamp is not a Unix time");
  if (Math.abs(now - Number(stamp)) > toleranceS) {
    throw new WebhookVerificationError("webhook-timestamp outside the tolerance (replayed or clock skew)");
  }
  const expected = await signStandard(secret, msgId, Number(stamp), payload);
  // Several space-separated signatures while a secret is being rotated.
  if (!signatures.split(" ").some((candidate) => same(expected, candidate))) {
    throw new WebhookVerificationError("no webhook-signature matches");
  }
}

export async function verifySeed003(payload: string | Uint8Array, signature: string | null | undefined, secret: string) {
  if (!signature || !same(await signSeed003(secret, payload), signature)) {
    throw new WebhookVerificationError("X-Webhook-Signature does not match");
  }
}

/** `new Webhook(secret).verify(body, headers)`: checks whichever scheme the delivery carries, returns the event. */
export class Webhook {
  constructor(private readonly secret: string, private readonly toleranceS = DEFAULT_TOLERANCE_S) {}

  async verify(payload: string, headers: Record<string, string> | Headers, now?: number): Promise<unknown> {
    const h = lower(headers);
    if (h["webhook-signature"]) await verifyStandard(payload, h, this.secret, { toleranceS: this.toleranceS, now });
    else if (h["x-webhook-signature"]) await verifySeed003(payload, h["x-webhook-signature"], this.secret);
    else throw new WebhookVerificationError("no webhook signature header");
    try {
      return JSON.parse(payload);
    } catch (error) {
      throw new WebhookVerificationError("payload is not JSON");
    }
  }
}
