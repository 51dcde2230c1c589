// The request types are the gateway's own schemas: regenerating src/openapi.ts from sdks/openapi.json changes
// nothing (the Python SDK's drift test checks sdks/openapi.json against the gateway app itself).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const PACKAGE = resolve(import.meta.dirname, "../..");

test("src/openapi.ts matches a fresh generation", () => {
  const out = join(mkdtempSync(join(tmpdir(), "sdk-ts-gen-")), "openapi.ts");
  const cli = join(PACKAGE, "node_modules", "openapi-typescript", "bin", "cli.js");
  execFileSync(process.execPath, [cli, join(PACKAGE, "..", "openapi.json"), "--default-non-nullable", "false", "-o", out], { stdio: "ignore" });
  assert.equal(readFileSync(out, "utf8"), readFileSync(join(PACKAGE, "src", "openapi.ts"), "utf8"), "run `npm run generate`");
});
