// The platform in one process (`switchboard up --inproc`) on a free port, plus a host page on another origin.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "../..");

export function freePort() {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

export async function startStack() {
  const dataDir = mkdtempSync(join(tmpdir(), "switchboard-widget-"));
  const port = await freePort();
  const python = process.env.SWITCHBOARD_PYTHON ?? join(REPO, ".venv", "bin", "python");
  const args = ["-m", "services.launcher.cli", "up", "--inproc", "--port", String(port), "--data-dir", dataDir];
  const child = spawn(python, args, { cwd: REPO, stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`switchboard up exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error("stack not ready");
    try {
      if ((await fetch(`${url}/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const creds = JSON.parse(readFileSync(join(dataDir, "credentials.json"), "utf8"));
  return {
    url,
    apiKey: creds.api_key,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A customer's site: each path serves the seed 003 snippet with the config registered for it. */
export async function startHostSite(gatewayUrl) {
  const pages = new Map();
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const page = pages.get(path);
    if (!page) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="en"><head><title>Shop</title></head><body>
<h1>Acme Shop support</h1><p>Questions? Ask us.</p>
<!-- Add before closing </body> tag -->
<script>
  window.${page.name} = ${JSON.stringify(page.config)};
</script>
<script src="${gatewayUrl}/widget.js" async></script>
</body></html>`);
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return {
    origin: `http://127.0.0.1:${port}`,
    page(path, config, name = "SwitchboardConfig") {
      pages.set(path, { config, name });
      return `http://127.0.0.1:${port}${path}`;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}
