// What the gateway never sends on demand, against tiny local servers: Retry-After, odd bodies, silence, webhooks
// signed both ways, and the /websocket frame format.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { WebSocketServer } from "ws";

import {
  APIConnectionError,
  APITimeoutError,
  InternalServerError,
  RateLimitError,
  Switchboard,
  SwitchboardError,
  Webhook,
  WebhookVerificationError,
  events,
  parseFrame,
  signSeed003,
  signStandard,
  verifyStandard,
} from "../src/index.js";
import { freePort } from "./stack.js";

type Reply = [number, Record<string, string>, string];

async function scripted(script: Reply[]) {
  const seen: Array<{ at: number; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    seen.push({ at: Date.now(), headers: req.headers });
    req.resume();
    const [status, headers, body] = script.shift() ?? [200, {}, '{"ok": true}'];
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise((r) => server.close(r)) };
}

test("503 Retry-After is honoured, with one Idempotency-Key across attempts", async () => {
  const server = await scripted([[503, { "Retry-After": "1" }, '{"error": {"code": "service_unavailable"}}']]);
  const client = new Switchboard({ apiKey: "k", baseUrl: server.url });
  assert.deepEqual(await client.kbPlatform.converse({ message: "hi", user_id: "u1" }), { ok: true });
  const [first, second] = server.seen;
  assert.ok(second.at - first.at >= 950);
  assert.equal(first.headers["idempotency-key"], second.headers["idempotency-key"]);
  assert.equal(first.headers.authorization, "Bearer k");
  await server.close();
});

test("an hourly quota is not waited for; odd bodies still give typed errors", async () => {
  const reset = String(Math.floor(Date.now() / 1000) + 3000);
  const server = await scripted([
    [429, { "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": reset }, '{"error": true, "message": "slow down"}'],
    [502, { "Content-Type": "text/html", "X-Request-ID": "req_proxy" }, "<html>Bad gateway</html>"],
  ]);
  const client = new Switchboard({ apiKey: "k", baseUrl: server.url });
  await assert.rejects(client.insights.aiProviders(), (e: unknown) => e instanceof RateLimitError && e.dialect === "insights");
  assert.equal(server.seen.length, 1);
  await assert.rejects(client.supportAgent.health(), (e: unknown) => {
    assert.ok(e instanceof InternalServerError);
    assert.equal(e.requestId, "req_proxy");
    assert.equal(e.code, null);
    assert.match(e.message, /Bad gateway/);
    return true;
  });
  await server.close();
});

test("unreachable and silent gateways end in one clear error", async () => {
  const closed = new Switchboard({ apiKey: "k", baseUrl: `http://127.0.0.1:${await freePort()}`, maxRetries: 2 });
  await assert.rejects(closed.insights.aiProviders(), (e: unknown) => e instanceof APIConnectionError && e.attempts === 3);
  const silent = createServer(() => {}); // accepts, never answers
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const client = new Switchboard({ apiKey: "k", baseUrl: url, timeoutMs: 200, maxRetries: 1 });
  await assert.rejects(client.insights.aiProviders(), (e: unknown) => e instanceof APITimeoutError && e.attempts === 2);
  silent.closeAllConnections();
  await new Promise((r) => silent.close(r));
});

test("webhooks: the Standard Webhooks reference vector and seed 003's own scheme", async () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  await verifyStandard('{"test": 2432232314}', {
    "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "webhook-timestamp": "1614265330",
    "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  }, secret, { now: 1614265330 });
  const payload = JSON.stringify({ event: "conversation.escalated", data: {} });
  const now = Math.floor(Date.now() / 1000);
  const headers = { "Webhook-Id": "msg_1", "Webhook-Timestamp": String(now), "Webhook-Signature": await signStandard(secret, "msg_1", now, payload) };
  assert.deepEqual(await new Webhook(secret).verify(payload, headers), { event: "conversation.escalated", data: {} });
  await assert.rejects(new Webhook(secret).verify(payload.replace("escalated", "resolved"), headers), WebhookVerificationError);
  await assert.rejects(new Webhook(secret).verify(payload, headers, now + 3600), WebhookVerificationError);
  // Seed 003's verify_webhook computes hex HMAC-SHA256 of the body with the secret's bytes: the same as ours.
  const seed = "sha256=" + createHmac("sha256", "my_secret").update(payload).digest("hex");
  assert.equal(await signSeed003("my_secret", payload), seed);
  assert.ok(await new Webhook("my_secret").verify(payload, { "X-Webhook-Signature": seed }));
  await assert.rejects(new Webhook("my_secret").verify(payload, { "X-Webhook-Signature": "sha256=00" }), WebhookVerificationError);
});

test("events: /websocket frames, the key as the token parameter, filtering, bad frames", async () => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const requested: string[] = [];
  wss.on("connection", (socket, request) => {
    requested.push(request.url ?? "");
    socket.send(JSON.stringify({ event: "system_status", timestamp: "2026-01-12T15:40:00Z", data: { status: "ok" } }));
    socket.send(JSON.stringify({ event: "queue_update", timestamp: "2026-01-12T15:40:01Z", data: { item_id: "rev_1" } }));
    socket.close();
  });
  await new Promise((r) => wss.once("listening", r));
  const baseUrl = `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  const got = [];
  for await (const event of events({ apiKey: "sb_key", baseUrl, only: ["queue_update"] })) got.push(event);
  assert.deepEqual(got, [{ event: "queue_update", timestamp: "2026-01-12T15:40:01Z", data: { item_id: "rev_1" } }]);
  assert.deepEqual(requested, ["/websocket?token=sb_key"]);
  assert.throws(() => parseFrame("not json"), SwitchboardError);
  assert.throws(() => parseFrame('{"data": {}}'), SwitchboardError);
  await new Promise((r) => wss.close(r));
});
