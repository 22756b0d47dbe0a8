// Reports what the browser downloads: per entry route, the bytes it must fetch before the
// page is interactive (the wasm, JS and CSS the server-rendered page preloads or links, and
// the JS modules those import), and every file of the bundle with the total of all chunks.
// Sizes are raw, gzip -9 and brotli (quality 11), as the build precompresses them.
// Usage: node bench/size.mjs [site-pkg-dir] [--app http://127.0.0.1:3000] [--budget-kib N]
//   --app: fetch the entry routes from a running release server for the per-route table;
//   --budget-kib: exit 1 when a route's brotli bytes exceed N KiB.
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { join, basename } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
};
const app = option("--app");
const budget = option("--budget-kib");
const dir = args[0] ?? "target/site/pkg";
const ROUTES = ["/", "/challenge", "/history", "/login"];

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

// The files a JS module imports statically (wasm-bindgen snippets, the split loader).
function withImports(name, seen = new Set()) {
  if (seen.has(name) || !existsSync(join(dir, name))) return seen;
  seen.add(name);
  if (name.endsWith(".js")) {
    const text = readFileSync(join(dir, name), "utf8");
    for (const m of text.matchAll(/(?:import|from)\s*["']\.\/([^"']+)["']/g)) withImports(m[1], seen);
  }
  return seen;
}

let failed = false;
if (app) {
  console.log(`per entry route: fetched before interactive`);
  console.log(`${"route (files)".padEnd(52)}        raw        gzip      brotli`);
  for (const route of ROUTES) {
    const html = await (await fetch(new URL(route, app))).text();
    const files = new Set();
    for (const m of html.matchAll(/<link\b[^>]*>/g)) {
      const tag = m[0];
      const href = tag.match(/href="([^"]+)"/)?.[1];
      const rel = tag.match(/rel="([^"]+)"/)?.[1];
      if (href?.startsWith("/pkg/") && ["preload", "modulepreload", "stylesheet"].includes(rel)) {
        withImports(href.slice("/pkg/".length), files);
      }
    }
    const total = [...files].reduce((sum, f) => add(sum, sizeOf(f)), zero);
    console.log(row(`${route} (${files.size})`, total));
    if (budget && total.brotli > Number(budget) * 1024) {
      console.log(`  over the budget of ${budget} KiB brotli: ${[...files].join(", ")}`);
      failed = true;
    }
  }
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
