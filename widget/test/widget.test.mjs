// The seed 003 snippet on a customer's page, in headless Debian Chromium, against the running platform: launcher →
// panel, an answer with its source, the history after a reload, keyboard use, a polite error and retry that keeps
// the typed message, every documented option, and no request to any host but the page's and the gateway.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

import { REPO, startHostSite, startStack } from "./stack.mjs";

const ARTIFACTS = process.env.SWITCHBOARD_TEST_ARTIFACTS ?? join(REPO, "widget", "test-results");
let stack, site, browser, publishableKey;

async function admin(path, body) {
  const resp = await fetch(stack.url + path, {
    method: "POST",
    headers: { Authorization: `Bearer ${stack.apiKey}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.ok(resp.ok, await resp.clone().text());
  return resp.json();
}

before(async () => {
  stack = await startStack();
  site = await startHostSite(stack.url);
  await admin("/api/v1/knowledge-base", {
    title: "Password Reset Guide",
    content: "To reset your password, click 'Forgot Password' on the login page and follow the link we email you.",
    category: "account-management",
  });
  publishableKey = (await admin("/api/v1/publishable-keys", { name: "shop", allowed_origins: [site.origin] })).data.key;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await stack?.stop();
});

async function open(url, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const hosts = new Set();
  page.on("request", (request) => hosts.add(new URL(request.url()).origin));
  const errors = [];
  page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
  await page.goto(url);
  return { context, page, hosts, errors };
}

test("ask, see the answer and its source, reload and see the history", async () => {
  const url = site.page("/support", { apiKey: publishableKey, position: "bottom-right", theme: "light", greeting: "Hi! How can I help you today?" });
  const { context, page, hosts } = await open(url);
  const launcher = page.getByRole("button", { name: "Open chat" });
  await launcher.click();
  const dialog = page.getByRole("dialog", { name: "Chat with us" });
  await dialog.getByText("Hi! How can I help you today?").waitFor();
  const input = dialog.getByRole("textbox", { name: "Your message" });
  await input.fill("How do I reset my password?");
  await input.press("Enter");
  const answer = dialog.locator(".msg.ai").filter({ hasText: "Forgot Password" });
  await answer.waitFor({ timeout: 20_000 });
  const source = await answer.getByRole("listitem").first().textContent();
  assert.match(source, /^Source: kb_/);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, "widget-answer.png") });

  await page.reload();
  await page.getByRole("button", { name: "Open chat" }).click();
  await dialog.getByText("How do I reset my password?").waitFor();
  await dialog.locator(".msg.ai").filter({ hasText: "Forgot Password" }).waitFor();
  assert.deepEqual([...hosts].sort(), [site.origin, stack.url].sort());
  await context.close();
});

test("keyboard and screen reader: labelled controls, live log, Escape returns focus", async () => {
  const { context, page } = await open(site.page("/help/keyboard", { apiKey: publishableKey }));
  await page.keyboard.press("Tab");
  const launcher = page.getByRole("button", { name: "Open chat" });
  await assert.doesNotReject(launcher.evaluate((el) => el.getRootNode().activeElement === el || Promise.reject(new Error("launcher not focused"))));
  await page.keyboard.press("Enter");
  const input = page.getByRole("textbox", { name: "Your message" });
  assert.equal(await input.evaluate((el) => el.getRootNode().activeElement === el), true);
  assert.equal(await page.getByRole("log").getAttribute("aria-live"), "polite");
  assert.equal(await page.getByRole("button", { name: "Close chat" }).first().getAttribute("aria-expanded"), "true");
  await page.keyboard.press("Escape");
  assert.equal(await page.getByRole("dialog").count(), 0);
  assert.equal(await launcher.getAttribute("aria-expanded"), "false");
  assert.equal(await launcher.evaluate((el) => el.getRootNode().activeElement === el), true);
  await context.close();
});

test("gateway unreachable: a polite error, the typed message kept, Retry sends it", async () => {
  const { context, page } = await open(site.page("/support/retry", { apiKey: publishableKey }));
  await page.getByRole("button", { name: "Open chat" }).click();
  await page.route(`${stack.url}/api/v1/conversations`, (route) => route.abort("connectionrefused"));
  const input = page.getByRole("textbox", { name: "Your message" });
  await input.fill("How do I reset my password?");
  await page.getByRole("button", { name: "Send" }).click();
  const alert = page.getByRole("alert");
  await alert.getByText("Your message wasn't lost.").waitFor();
  assert.equal(await input.inputValue(), "How do I reset my password?");
  await page.unroute(`${stack.url}/api/v1/conversations`);
  await alert.getByRole("button", { name: "Retry" }).click();
  await page.locator(".msg.ai").filter({ hasText: "Forgot Password" }).waitFor({ timeout: 20_000 });
  assert.equal(await input.inputValue(), "");
  assert.equal(await page.locator(".msg.user").count(), 1); // the retried message is not shown twice
  assert.equal(await alert.count(), 0);
  await context.close();
});

test("options: custom theme, position, autoOpen, the seed's OurPlatformConfig name", async () => {
  const config = {
    apiKey: publishableKey,
    position: "bottom-left",
    greeting: "Welcome to Acme!",
    theme: { primaryColor: "#007bff", fontFamily: "Inter, sans-serif", borderRadius: "4px" },
    behavior: { autoOpen: true, showOnPages: ["/support", "/help"], hideOnMobile: false },
  };
  const { context, page } = await open(site.page("/support/options", config, "OurPlatformConfig"));
  const dialog = page.getByRole("dialog");
  await dialog.getByText("Welcome to Acme!").waitFor(); // autoOpen
  const launcher = page.getByRole("button", { name: "Close chat" }).first();
  assert.equal(await launcher.evaluate((el) => getComputedStyle(el).backgroundColor), "rgb(0, 123, 255)");
  assert.equal(await dialog.evaluate((el) => getComputedStyle(el).borderRadius), "4px");
  const box = await launcher.boundingBox();
  assert.ok(box.x < 100, `launcher at x=${box.x}, expected bottom-left`);
  await page.screenshot({ path: join(ARTIFACTS, "widget-options.png") });
  await context.close();
});

test("showOnPages, hideOnMobile and a secret key keep the widget off the page", async () => {
  const limited = { apiKey: publishableKey, behavior: { showOnPages: ["/help"] } };
  const off = await open(site.page("/pricing", limited));
  await off.page.waitForLoadState("networkidle");
  assert.equal(await off.page.locator("#switchboard-widget").count(), 0);
  await off.context.close();

  const mobile = await open(site.page("/support/mobile", { apiKey: publishableKey, behavior: { hideOnMobile: true } }), {
    viewport: { width: 375, height: 700 },
  });
  await mobile.page.waitForLoadState("networkidle");
  assert.equal(await mobile.page.locator("#switchboard-widget").count(), 0);
  await mobile.context.close();

  const secret = await open(site.page("/support/secret", { apiKey: stack.apiKey }));
  await secret.page.waitForLoadState("networkidle");
  assert.equal(await secret.page.locator("#switchboard-widget").count(), 0);
  assert.ok(secret.errors.some((e) => e.includes("publishable key")));
  await secret.context.close();
});

test("a handoff to a person is shown, and still shown after a reload", async () => {
  const { context, page } = await open(site.page("/support/handoff", { apiKey: publishableKey }));
  await page.getByRole("button", { name: "Open chat" }).click();
  const input = page.getByRole("textbox", { name: "Your message" });
  await input.fill("I want to speak to a human agent right now, please transfer me to a person.");
  await input.press("Enter");
  await page.locator(".msg.system").filter({ hasText: "person from our team" }).waitFor({ timeout: 20_000 });
  await page.reload();
  await page.getByRole("button", { name: "Open chat" }).click();
  await page.locator(".msg.system").filter({ hasText: "person from our team" }).waitFor();
  await context.close();
});
