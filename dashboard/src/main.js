// The /dashboard page: signs in with the seed 000 login (or an API key), then charts the platform's own analytics
// views for a period. It refreshes when the WebSocket (/websocket) says the tenant's analytics counted new events
// (`analytics_update`), and polls every 30 s only while that feed is down (reconnecting with backoff). Every shown
// number is kept on its element (data-value) so a browser test can compare it with the API.
import Chart from "chart.js/auto";

const POLL_MS = 30_000; // fallback only, while the live feed is down
const SETTLE_MS = 300; // updates arriving together cause one refresh
const RETRY_MAX_MS = 30_000;
const TIERS = ["AI_REP", "AI_MANAGER", "HUMAN_AGENT"];
const LEVELS = ["HAPPY", "SATISFIED", "NEUTRAL", "FRUSTRATED", "ANGRY", "IRATE"];
const charts = {};
let timer = null;
let socket = null;
let pending = null;
let retryMs = 1000;

const $ = (id) => document.getElementById(id);
const session = {
  get token() { return localStorage.getItem("sb.token"); },
  get company() { return localStorage.getItem("sb.company") || "default"; },
  save(token, company) { localStorage.setItem("sb.token", token); localStorage.setItem("sb.company", company); },
  clear() { localStorage.removeItem("sb.token"); localStorage.removeItem("sb.company"); },
};

function tenantOf(jwt) {
  try { return JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).tenant || "default"; }
  catch { return "default"; }
}

async function api(path, params) {
  const url = `${path}?${new URLSearchParams(params)}`;
  const resp = await fetch(url, { headers: { Authorization: `Bearer ${session.token}` } });
  if (resp.status === 401) { signOut(); throw new Error("signed out"); }
  const body = await resp.json();
  if (!resp.ok) throw new Error(`${path}: ${resp.status} ${JSON.stringify(body).slice(0, 200)}`);
  return body;
}

function show(id, value, text) {
  const el = $(id);
  el.dataset.value = value === null ? "null" : String(value);
  el.textContent = text;
}

function draw(id, config) {
  if (charts[id]) charts[id].destroy();
  charts[id] = new Chart($(id), config);
  $(id).dataset.values = JSON.stringify(config.data.datasets.map((d) => d.data));
  $(id).dataset.labels = JSON.stringify(config.data.labels);
}

const bar = (labels, label, data) => ({
  type: "bar", data: { labels, datasets: [{ label, data, backgroundColor: "#3558d4" }] },
  options: { plugins: { legend: { display: false } }, animation: false },
});

function render(summary, kb, cs, metrics) {
  show("kpi-conversations", summary.total_conversations, String(summary.total_conversations));
  show("kpi-resolution", summary.resolution_rate, `${(summary.resolution_rate * 100).toFixed(1)} %`);
  show("kpi-ai-resolution", kb.metrics.ai_resolved, `${kb.metrics.ai_resolved} (${(kb.metrics.resolution_rate * 100).toFixed(1)} %)`);
  const rating = summary.average_satisfaction;
  show("kpi-satisfaction", rating, rating === null ? "no ratings yet" : `${rating.toFixed(2)} / 5`);
  show("kpi-response", summary.response_time_avg, `${summary.response_time_avg.toFixed(2)} s`);
  show("kpi-cost", metrics.cost_metrics.total_cost, `$${metrics.cost_metrics.total_cost.toFixed(4)}`);
  const days = summary.timeline_data;
  draw("chart-timeline", {
    type: "line",
    data: {
      labels: days.map((d) => d.date),
      datasets: [
        { label: "conversations", data: days.map((d) => d.conversations), borderColor: "#3558d4", yAxisID: "y" },
        { label: "mean sentiment", data: days.map((d) => d.avg_sentiment), borderColor: "#d48a35", yAxisID: "s" },
      ],
    },
    options: { animation: false, scales: { y: { beginAtZero: true }, s: { position: "right", min: -1, max: 1 } } },
  });
  const dist = cs.sentiment.distribution;
  draw("chart-sentiment", {
    type: "doughnut",
    data: {
      labels: LEVELS,
      datasets: [{ data: LEVELS.map((l) => dist[l] || 0),
        backgroundColor: ["#2e9e5b", "#7cc68d", "#b8bec9", "#e9b44c", "#e0703b", "#b3261e"] }],
    },
    options: { animation: false },
  });
  const reasons = Object.keys(cs.escalations.byReason).sort();
  draw("chart-reasons", bar(reasons, "escalations", reasons.map((r) => cs.escalations.byReason[r])));
  const tiers = Object.fromEntries(cs.byTier.map((t) => [t.tier, t.sessions]));
  draw("chart-tiers", bar(TIERS, "sessions", TIERS.map((t) => tiers[t] || 0)));
  const models = Object.keys(metrics.model_usage).sort();
  draw("chart-models", {
    type: "bar",
    data: {
      labels: models,
      datasets: [
        { label: "replies", data: models.map((m) => metrics.model_usage[m]), backgroundColor: "#3558d4", yAxisID: "y" },
        { label: "cost (USD)", data: models.map((m) => metrics.cost_metrics.cost_by_model[m] || 0),
          backgroundColor: "#d48a35", yAxisID: "c" },
      ],
    },
    options: { animation: false, scales: { c: { position: "right", beginAtZero: true } } },
  });
}

async function refresh() {
  const form = new FormData($("period"));
  const start = form.get("start"), end = form.get("end"), granularity = form.get("granularity");
  $("status").textContent = "loading...";
  try {
    const [summary, kb, cs, metrics] = await Promise.all([
      api("/api/v1/analytics/summary", { start_date: start, end_date: end, granularity }),
      api("/api/v1/analytics", { start_date: start, end_date: end }),
      api("/cs/analytics", { companyId: session.company, startDate: start, endDate: end }),
      api("/api/metrics", { timeframe: "day", start_date: start, end_date: end }),
    ]);
    render(summary.data, kb, cs, metrics);
    $("status").textContent = `updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.ready = "true";
  } catch (err) {
    $("status").textContent = String(err.message || err);
  }
}

function feed(state) {
  document.body.dataset.feed = state; // "live" or "polling" (the browser test waits for "live")
  $("feed").textContent = state === "live" ? "live" : "polling every 30 s";
}

function poll(on) {
  clearInterval(timer);
  timer = on ? setInterval(refresh, POLL_MS) : null;
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/websocket?token=${encodeURIComponent(session.token)}`);
  socket = ws;
  ws.onopen = () => {
    retryMs = 1000;
    poll(false);
    feed("live");
    refresh(); // whatever changed while the feed was down
  };
  ws.onmessage = (msg) => {
    let frame;
    try { frame = JSON.parse(msg.data); } catch { return; }
    if (frame.event === "analytics_update" && !pending) {
      pending = setTimeout(() => { pending = null; refresh(); }, SETTLE_MS);
    }
  };
  ws.onclose = () => {
    if (socket !== ws) return; // signed out, or replaced
    socket = null;
    feed("polling");
    poll(true);
    setTimeout(() => { if (!socket && session.token) connect(); }, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };
}

function signOut() {
  session.clear();
  poll(false);
  const ws = socket;
  socket = null;
  if (ws) ws.close();
  $("board").hidden = true;
  $("signin").hidden = false;
}

function start() {
  $("signin").hidden = true;
  $("board").hidden = false;
  refresh();
  feed("polling");
  poll(true);
  if (!socket) connect();
}

function init() {
  const today = new Date();
  const from = new Date(today.getTime() - 29 * 86_400_000);
  $("period").elements.start.value = from.toISOString().slice(0, 10);
  $("period").elements.end.value = today.toISOString().slice(0, 10);
  $("period").addEventListener("submit", (e) => { e.preventDefault(); refresh(); });
  $("signout").addEventListener("click", signOut);
  $("login").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = Object.fromEntries(new FormData(e.target));
    const resp = await fetch("/api/v1/auth/login", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const data = await resp.json();
    if (!resp.ok) { $("signin-error").textContent = data.message || "sign-in failed"; return; }
    session.save(data.data.token, tenantOf(data.data.token));
    start();
  });
  $("apikey").addEventListener("submit", (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    session.save(form.get("key"), form.get("company"));
    start();
  });
  if (session.token) start(); else signOut();
}

init();
