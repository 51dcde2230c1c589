// The SDK against the running platform: seed 003's ChatClient example, every namespace, typed errors, pagination,
// the gateway's own burst limit waited out, and the README example run unchanged.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, test } from "node:test";

import { ChatClient, NotFoundError, BadRequestError, AuthenticationError, RateLimitError, Switchboard } from "../src/index.js";
import { startStack, type Stack } from "./stack.js";

let stack: Stack;
let client: Switchboard;
let articleId: string;

before(async () => {
  stack = await startStack();
  client = new Switchboard({ apiKey: stack.apiKey, baseUrl: stack.url });
  const created = await client.kbPlatform.upsertArticle({
    title: "Password Reset Guide",
    content: "To reset your password, click 'Forgot Password' on the login page and follow the link we email you. " +
      "The link expires after 24 hours.",
    category: "account-management",
    tags: ["password", "security"],
  });
  articleId = created.article_id;
});

after(async () => {
  await stack?.stop();
});

test("seed 003 ChatClient example: answer, confidence and sources", async () => {
  process.env.SWITCHBOARD_BASE_URL = stack.url; // where the seed's example would use the vendor's host
  try {
    const chat = new ChatClient({ apiKey: stack.apiKey, environment: "production" });
    const response = await chat.sendMessage({ message: "How do I reset my password?", userId: "user_12345" });
    assert.match(response.answer, /Forgot Password/);
    assert.ok(response.confidence > 0 && response.confidence <= 1);
    assert.ok(response.sources.includes(articleId));
    const next = await chat.sendMessage({ message: "How long is the link valid?", userId: "user_12345", conversationId: response.conversationId });
    assert.equal(next.conversationId, response.conversationId);
    const history = await chat.getConversation(response.conversationId);
    assert.deepEqual(history.messages.map((m: { sender: string }) => m.sender), ["user", "ai", "user", "ai"]);
  } finally {
    delete process.env.SWITCHBOARD_BASE_URL;
  }
});

test("each dialect's error envelope becomes a typed error with code and request id", async () => {
  const cases: Array<[() => Promise<unknown>, string, string]> = [
    [() => client.kbPlatform.getConversation("conv_missing"), "kb_platform", "not_found"],
    [() => client.tieredCs.getSession("sess_missing"), "tiered_cs", "CS_002"],
    [() => client.crmChat.getUser("user_missing"), "crm_chat", "NOT_FOUND"],
    [() => client.supportAgent.getSession("missing"), "support_agent", "NOT_FOUND_ERROR"],
  ];
  for (const [call, dialect, code] of cases) {
    await assert.rejects(call, (error: unknown) => {
      assert.ok(error instanceof NotFoundError);
      assert.equal(error.status, 404);
      assert.equal(error.dialect, dialect);
      assert.equal(error.code, code);
      assert.match(error.requestId ?? "", /^req_/);
      return true;
    });
  }
  const stranger = new Switchboard({ apiKey: "sb_wrong", baseUrl: stack.url });
  await assert.rejects(stranger.insights.aiProviders(), (e: unknown) => e instanceof AuthenticationError && e.dialect === "insights");
  await assert.rejects(client.tieredCs.startSession({ customerId: "c", channel: "chat" }), (e: unknown) => e instanceof BadRequestError && e.code === "CS_005");
});

test("namespaces and auto-pagination", async () => {
  const sentiment = await client.insights.analyzeSentiment({ text: "I love how quickly you fixed this!" });
  assert.equal(sentiment.data.sentiment, "positive");
  const login = await client.insights.login(stack.adminEmail, stack.adminPassword);
  const byJwt = new Switchboard({ apiKey: login.data.token, baseUrl: stack.url });
  assert.equal((await byJwt.insights.analyzeSentiment({ text: "This is broken again." })).data.sentiment, "negative");
  const made = new Set<string>();
  for (let i = 0; i < 5; i++) {
    made.add((await client.tieredCs.startSession({ customerId: `ts_pager_${i}`, channel: "chat", companyId: "default" })).id);
  }
  const seen: string[] = [];
  for await (const session of client.tieredCs.iterSessions({ companyId: "default", limit: 2 })) seen.push(session.id);
  assert.ok([...made].every((id) => seen.includes(id)));
  assert.equal(new Set(seen).size, seen.length);
  const session = await client.supportAgent.createSession({ customer_id: "cust_ts" });
  assert.equal((await client.supportAgent.getSession(session.session_id)).session_id, session.session_id);
});

test("login names the tenant of an email registered in several tenants", async () => {
  const tenantId = `ts_login_${Date.now()}`;
  const made = await fetch(`${stack.url}/api/v1/tenants`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ tenant_id: tenantId, name: "TS login tenant" }),
  });
  assert.equal(made.status, 201);
  const email = `twin-${Date.now()}@example.com`;
  const password = "same-password-in-both";
  const home = await client.insights.createUser({ email, password, roles: ["agent"] });
  const away = await client.insights.createUser({ email, password, roles: ["agent"], tenant_id: tenantId });
  // The same password matches both accounts: without a tenant nothing tells which one, so it is refused.
  await assert.rejects(client.insights.login(email, password), AuthenticationError);
  assert.equal((await client.insights.login(email, password, tenantId)).data.user_id, away.data.id);
  assert.equal((await client.insights.login(email, password, home.data.tenant_id)).data.user_id, home.data.id);
});

test("the gateway's burst limit (seed 004: 10/s) is waited out by the retries", async () => {
  const impatient = new Switchboard({ apiKey: stack.apiKey, baseUrl: stack.url, maxRetries: 0 });
  await assert.rejects(async () => {
    for (let i = 0; i < 25; i++) await impatient.crmChat.ragStats();
  }, (e: unknown) => e instanceof RateLimitError && e.code === "RATE_LIMITED");
  const patient = new Switchboard({ apiKey: stack.apiKey, baseUrl: stack.url, maxRetries: 3 });
  for (let i = 0; i < 25; i++) assert.equal((await patient.crmChat.ragStats()).success, true);
});

test("README example runs unchanged", () => {
  const readme = readFileSync(resolve(import.meta.dirname, "../../README.md"), "utf8");
  const example = /```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(example);
  const dir = resolve(import.meta.dirname, "../../dist-test/readme");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "example.mjs");
  writeFileSync(file, example[1]);
  const out = execFileSync(process.execPath, [file], {
    env: { ...process.env, SWITCHBOARD_BASE_URL: stack.url, SWITCHBOARD_API_KEY: stack.apiKey },
    encoding: "utf8",
  });
  assert.match(out, /5 business days/);
  assert.match(out, /crm_chat NOT_FOUND req_/);
});
