// Bundles src/ into the gateway's static folder (services/gateway/static/dashboard/): no CDN at run time.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const out = new URL("../services/gateway/static/dashboard/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  outfile: `${out}app.js`,
});
for (const file of ["index.html", "style.css"]) copyFileSync(`src/${file}`, `${out}${file}`);
console.log(`dashboard built into ${out}`);
