// Drives /dashboard in headless Chromium (Debian's, through playwright-core): signs in with an API key, waits
// for the charts, and checks that every tile and chart shows what the APIs answer for the same period.
// Usage: node tests/check_dashboard.mjs <base url> <api key> <company> <screenshot path>
import { chromium } from "playwright-core";

const [base, key, company, shot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const failures = [];
const expectEqual = (what, shown, wanted) => {
  if (JSON.stringify(shown) !== JSON.stringify(wanted)) failures.push(`${what}: shows ${JSON.stringify(shown)}, API says ${JSON.stringify(wanted)}`);
};
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  await page.goto(`${base}/dashboard`);
  await page.fill("#apikey input[name=key]", key);
  await page.fill("#apikey input[name=company]", company);
  await page.click("#apikey button");
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  const start = await page.inputValue("#period input[name=start]");
  const end = await page.inputValue("#period input[name=end]");
  const get = async (path, params) => {
    const resp = await fetch(`${base}${path}?${new URLSearchParams(params)}`, { headers: { Authorization: `Bearer ${key}` } });
    return resp.json();
  };
  const summary = (await get("/api/v1/analytics/summary", { start_date: start, end_date: end, granularity: "daily" })).data;
  const cs = await get("/cs/analytics", { companyId: company, startDate: start, endDate: end });
  const metrics = await get("/api/metrics", { timeframe: "day", start_date: start, end_date: end });
  const value = (id) => page.getAttribute(`#${id}`, "data-value");
  const values = async (id) => JSON.parse(await page.getAttribute(`#${id}`, "data-values"));
  expectEqual("conversations", await value("kpi-conversations"), String(summary.total_conversations));
  expectEqual("resolution rate", await value("kpi-resolution"), String(summary.resolution_rate));
  expectEqual("satisfaction", await value("kpi-satisfaction"), String(summary.average_satisfaction));
  expectEqual("cost", await value("kpi-cost"), String(metrics.cost_metrics.total_cost));
  expectEqual("timeline", (await values("chart-timeline"))[0], summary.timeline_data.map((d) => d.conversations));
  const levels = ["HAPPY", "SATISFIED", "NEUTRAL", "FRUSTRATED", "ANGRY", "IRATE"];
  expectEqual("sentiment", (await values("chart-sentiment"))[0], levels.map((l) => cs.sentiment.distribution[l] || 0));
  const reasons = Object.keys(cs.escalations.byReason).sort();
  expectEqual("reasons", (await values("chart-reasons"))[0], reasons.map((r) => cs.escalations.byReason[r]));
  const models = Object.keys(metrics.model_usage).sort();
  expectEqual("models", (await values("chart-models"))[0], models.map((m) => metrics.model_usage[m]));
  if (summary.total_conversations < 1) failures.push("the seeded tenant shows no conversation");
  await page.screenshot({ path: shot, fullPage: true });

  // Live refresh: the page follows the WebSocket, so a new conversation shows up well before the 30 s fallback
  // poll, without any click.
  await page.waitForSelector("body[data-feed=live]", { timeout: 15_000 });
  const before = Number(await value("kpi-conversations"));
  const turn = await fetch(`${base}/api/query`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ query: "Is my order on its way?", session_id: `dash_live_${Date.now()}`, customer_id: "dash_live" }),
  });
  if (!turn.ok) failures.push(`a new turn failed: ${turn.status}`);
  try {
    await page.waitForFunction(
      (n) => Number(document.getElementById("kpi-conversations").dataset.value) > n, before, { timeout: 20_000 });
  } catch {
    failures.push(`the page did not refresh from the WebSocket: still ${await value("kpi-conversations")} conversations`);
  }
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log("dashboard matches the APIs");
