// Reports the size of the release browser bundle: raw, gzip -9 and brotli (quality 11).
// Usage: node bench/size.mjs [site-pkg-dir]   (default target/site/pkg)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "target/site/pkg";
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
let total = { raw: 0, gzip: 0, brotli: 0 };
console.log(`${"file".padEnd(48)}        raw        gzip      brotli`);
for (const name of readdirSync(dir).sort()) {
  const path = join(dir, name);
  // The .br/.gz copies are what is sent, not more to fetch; type declarations are not sent.
  const declarations = /\.d\./.test(name) && name.endsWith(".ts");
  if (!statSync(path).isFile() || /\.(br|gz)$/.test(name) || declarations) continue;
  const data = readFileSync(path);
  const gzip = gzipSync(data, { level: 9 }).length;
  const brotli = brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }).length;
  total.raw += data.length; total.gzip += gzip; total.brotli += brotli;
  console.log(`${name.padEnd(48)} ${kb(data.length).padStart(10)}  ${kb(gzip).padStart(10)}  ${kb(brotli).padStart(10)}`);
}
console.log(`${"total".padEnd(48)} ${kb(total.raw).padStart(10)}  ${kb(total.gzip).padStart(10)}  ${kb(total.brotli).padStart(10)}`);
