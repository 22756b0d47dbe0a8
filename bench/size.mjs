// Reports what the browser downloads: per entry route, the bytes it must fetch before the
// page is interactive (every /pkg file Chromium requests until all islands on the page have
// hydrated, lazy island chunks included), and every file of the bundle with the total.
// Sizes are raw, gzip -9 and brotli (quality 11), as the build precompresses them.
// Usage: node bench/size.mjs [site-pkg-dir] [--app http://127.0.0.1:3000] [--budget-kib N]
//   --app: load the entry routes from a running release server for the per-route table;
//   --budget-kib: exit 1 when a route's brotli bytes (wasm + JS + CSS) exceed N KiB.
//   --wasm-budget-kb: exit 1 when a route's wasm alone exceeds N KB (1,000 bytes) brotli.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, basename } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { createRequire } from "node:module";

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
};
const app = option("--app");
const budget = option("--budget-kib");
const wasmBudget = option("--wasm-budget-kb");
const dir = args[0] ?? "target/site/pkg";
// Each entry page, and a page with a quiz's island (signed in, on a quiz just started).
const ROUTES = [
  ...["/", "/challenge", "/history", "/login"].map((path) => ({ label: path, open: async () => path })),
  {
    label: "/quiz/{id}",
    open: async (context, base) => {
      const form = { headers: { origin: base, accept: "application/json" } };
      const email = `size-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
      const signUp = await context.request.post(new URL("/api/register", base).href, {
        ...form,
        form: { email, password: "correct horse battery", display_name: "" },
      });
      if (!signUp.ok()) throw new Error(`register: ${signUp.status()} ${await signUp.text()}`);
      const start = await context.request.post(new URL("/api/quiz/start", base).href, { ...form, form: { kind: "daily" } });
      if (!start.ok()) throw new Error(`quiz/start: ${start.status()} ${await start.text()}`);
      return `/quiz/${await start.json()}`;
    },
  },
];

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const sizes = new Map();
function sizeOf(name) {
  if (!sizes.has(name)) {
    const data = readFileSync(join(dir, name));
    sizes.set(name, {
      raw: data.length,
      gzip: gzipSync(data, { level: 9 }).length,
      brotli: brotliCompressSync(data, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
      }).length,
    });
  }
  return sizes.get(name);
}
const row = (label, s) =>
  `${label.padEnd(52)} ${kb(s.raw).padStart(10)}  ${kb(s.gzip).padStart(10)}  ${kb(s.brotli).padStart(10)}`;
const add = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });
const zero = { raw: 0, gzip: 0, brotli: 0 };

let failed = false;
if (app) {
  // A real Chromium loads each route until every island on it has hydrated (lazy islands
  // fetch their chunks first); what it asked of /pkg is what the route costs.
  const require = createRequire(new URL("../end2end/package.json", import.meta.url));
  const { chromium } = require("playwright-core");
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
  console.log(`per entry route: fetched before interactive (Chromium, until html[data-hydrated])`);
  console.log(`${"route (files)".padEnd(52)}        raw        gzip      brotli   wasm brotli`);
  for (const { label, open } of ROUTES) {
    const context = await browser.newContext();
    const route = await open(context, app);
    const page = await context.newPage();
    const files = new Set();
    page.on("request", (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith("/pkg/")) files.add(path.slice("/pkg/".length));
      // A page's own script from the site root (the quiz page's clocks): `../` from pkg.
      else if (path.endsWith(".js")) files.add(`..${path}`);
    });
    await page.goto(new URL(route, app).href);
    await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
    await context.close();
    const total = [...files].reduce((sum, f) => add(sum, sizeOf(f)), zero);
    const wasm = [...files].filter((f) => f.endsWith(".wasm")).reduce((sum, f) => sum + sizeOf(f).brotli, 0);
    console.log(`${row(`${label} (${files.size})`, total)}  ${(wasm / 1000).toFixed(1).padStart(9)} KB`);
    if (wasmBudget && wasm > Number(wasmBudget) * 1000) {
      console.log(`  wasm over the budget of ${wasmBudget} KB brotli`);
      failed = true;
    }
    if (budget && total.brotli > Number(budget) * 1024) {
      console.log(`  over the budget of ${budget} KiB brotli: ${[...files].join(", ")}`);
      failed = true;
    }
  }
  await browser.close();
  console.log();
}

console.log(`${"file".padEnd(52)}        raw        gzip      brotli`);
let total = zero;
for (const name of readdirSync(dir).sort()) {
  // The .br/.gz copies are what is sent, not more to fetch; type declarations are not sent.
  const declarations = /\.d\./.test(name) && name.endsWith(".ts");
  if (!statSync(join(dir, name)).isFile() || /\.(br|gz)$/.test(name) || declarations) continue;
  const s = sizeOf(basename(name));
  total = add(total, s);
  console.log(row(name, s));
}
console.log(row("total (all chunks)", total));
process.exit(failed ? 1 : 0);
