// The whole platform in one process (`switchboard up --inproc`) on a free port, for the tests of one file.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "../../../..");

export interface Stack {
  url: string;
  apiKey: string;
  adminEmail: string;
  adminPassword: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? done(address.port) : fail(new Error("no port"))));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`switchboard up --inproc exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/ready`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("stack not ready");
}

export async function startStack(): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), "switchboard-ts-sdk-"));
  const port = await freePort();
  const python = process.env.SWITCHBOARD_PYTHON ?? join(REPO, ".venv", "bin", "python");
  const env = { ...process.env };
  for (const name of ["SWITCHBOARD_API_KEY", "SWITCHBOARD_BASE_URL", "SWITCHBOARD_ADMIN_EMAIL", "SWITCHBOARD_ADMIN_PASSWORD"]) {
    delete env[name]; // the stack makes its own credentials
  }
  const args = ["-m", "services.launcher.cli", "up", "--inproc", "--port", String(port), "--data-dir", dataDir];
  const child = spawn(python, args, { cwd: REPO, env, stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, child, 90_000);
  const creds = JSON.parse(readFileSync(join(dataDir, "credentials.json"), "utf8"));
  return {
    url,
    apiKey: creds.api_key,
    adminEmail: creds.admin_email,
    adminPassword: creds.admin_password,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
