// Proxy-overhead benchmark: the same streamed request sent straight to a local
// OpenAI-compatible upstream with fixed latency, and through the app's
// POST /api/challenge/generate. The upstream stamps each piece with the wall-clock time it
// sends it ("[t=<µs>]"), so the delay until this process reads it, straight or relayed, is
// measured per piece on one clock. Phases (chosen by --phase):
//   relay  p50/p99 relay delay and first-byte time at 1, 50 and 200 concurrent streams
//   rss    server RSS with 1000 streams open at once (upstream mode bench-hold)
//   pool   time to show a challenge from a warm pool (generate → done → fetch challenge)
// Usage: node bench/proxy.mjs --phase relay --app http://127.0.0.1:3002 --mock http://127.0.0.1:3901 --pid N
import http from "node:http";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, v, i, all) => (i % 2 === 0 ? [...pairs, [v.replace(/^--/, ""), all[i + 1]]] : pairs), []),
);
const app = new URL(args.app ?? "http://127.0.0.1:3002");
const mock = new URL(args.mock ?? "http://127.0.0.1:3901");
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const nowMicros = () => (performance.timeOrigin + performance.now()) * 1000;
const stamp = /\[t=(\d+)\]/g;

function request(url, { method = "POST", headers = {}, body = "" }, onChunk) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, "content-length": Buffer.byteLength(body) }, agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
        onChunk?.(chunk, nowMicros(), req);
      });
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

// One account per concurrent stream: the app runs one generation per user at a time.
let cookies = [];
let cookie = "";
async function signUp(n) {
  const one = async (i) => {
    const email = `bench-${Date.now()}-${i}@example.com`;
    const form = `email=${encodeURIComponent(email)}&password=correct+horse+battery&display_name=bench`;
    const res = await request(new URL("/api/register", app), {
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", origin: app.origin },
      body: form,
    });
    if (res.status !== 200) throw new Error(`register: ${res.status} ${res.text}`);
    return [res.headers["set-cookie"]].flat()[0].split(";")[0];
  };
  cookies = [];
  for (let i = 0; i < n; i += 8) {
    cookies.push(...(await Promise.all(Array.from({ length: Math.min(8, n - i) }, (_, j) => one(i + j)))));
  }
  cookie = cookies[0];
}
const login = () => signUp(1);

// One stream; returns { firstByteMs, delaysMs[] } from the pieces' stamps.
async function stream(direct, cookie) {
  const started = nowMicros();
  let firstByte = null;
  const delays = [];
  let buffer = "";
  const onChunk = (chunk, at) => {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame.split("\n").find((l) => l.startsWith("data:"))?.slice(5).trim();
      if (!data || data === "[DONE]") continue;
      const event = JSON.parse(data);
      const text = direct ? event.choices?.[0]?.delta?.content ?? "" : event.type === "preview" ? event.text : "";
      if (!text) continue;
      if (firstByte === null) firstByte = (at - started) / 1000;
      for (const m of text.matchAll(stamp)) delays.push((at - Number(m[1])) / 1000);
    }
  };
  const res = direct
    ? await request(new URL("/v1/chat/completions", mock), {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "bench",
          stream: true,
          messages: [{ role: "user", content: 'Write one new easy question on the topic "Stack" (topic field: "stack").' }],
        }),
      }, onChunk)
    : await request(new URL("/api/challenge/generate", app), {
        headers: { "content-type": "application/json", origin: app.origin, cookie },
        body: JSON.stringify({ topic: "stack", difficulty: "easy" }),
      }, onChunk);
  if (res.status !== 200) throw new Error(`${direct ? "upstream" : "app"}: ${res.status} ${res.text.slice(0, 200)}`);
  if (!direct && !res.text.includes('"type":"done"')) throw new Error(`app stream did not finish: ${res.text.slice(-300)}`);
  return { firstByte, delays, totalMs: (nowMicros() - started) / 1000 };
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const f = (x) => x.toFixed(3);

async function runLevel(concurrency, direct, minStreams) {
  const results = [];
  while (results.length < minStreams) {
    results.push(...(await Promise.all(Array.from({ length: concurrency }, (_, i) => stream(direct, cookies[i])))));
  }
  return {
    delays: results.flatMap((r) => r.delays),
    firstBytes: results.map((r) => r.firstByte),
    totals: results.map((r) => r.totalMs),
    streams: results.length,
  };
}

async function relayPhase() {
  await signUp(200);
  await runLevel(10, true, 10); // warm-up
  await runLevel(10, false, 10);
  console.log("| concurrent streams | streams | pieces | relay delay p50 direct / via app / added (ms) | relay delay p99 direct / via app / added (ms) | first byte p50 direct / via app (ms) | first byte p99 direct / via app (ms) |");
  console.log("|---|---|---|---|---|---|---|");
  for (const c of [1, 50, 200]) {
    const min = c === 1 ? 40 : c * 2;
    const d = await runLevel(c, true, min);
    const a = await runLevel(c, false, min);
    const p50 = [pct(d.delays, 50), pct(a.delays, 50)];
    const p99 = [pct(d.delays, 99), pct(a.delays, 99)];
    console.log(
      `| ${c} | ${a.streams} | ${a.delays.length} | ${f(p50[0])} / ${f(p50[1])} / ${f(p50[1] - p50[0])} | ${f(p99[0])} / ${f(p99[1])} / ${f(p99[1] - p99[0])} | ` +
        `${f(pct(d.firstBytes, 50))} / ${f(pct(a.firstBytes, 50))} | ${f(pct(d.firstBytes, 99))} / ${f(pct(a.firstBytes, 99))} |`,
    );
  }
}

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const get = (k) => Number(status.match(new RegExp(`${k}:\\s+(\\d+)`))[1]);
  return { rss: get("VmRSS"), peak: get("VmHWM") };
}

async function rssPhase() {
  const n = Number(args.streams ?? 1000);
  await signUp(n);
  const pid = Number(args.pid);
  const idle = rssKiB(pid);
  let open = 0;
  const requests = [];
  const opened = new Promise((resolve) => {
    for (let i = 0; i < n; i++) {
      let counted = false;
      const req = http.request(new URL("/api/challenge/generate", app), {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", origin: app.origin, cookie: cookies[i] },
      }, (res) => {
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          if (!counted && chunk.includes('"preview"')) {
            counted = true;
            if (++open === n) resolve();
          }
        });
        res.on("error", () => {});
      });
      req.on("error", () => {});
      req.end(JSON.stringify({ topic: "stack", difficulty: "easy" }));
      requests.push(req);
    }
  });
  const started = Date.now();
  await opened;
  const during = rssKiB(pid);
  console.log(`streams open and relaying: ${open} (after ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`server RSS idle ${(idle.rss / 1024).toFixed(1)} MiB; with ${n} streams ${(during.rss / 1024).toFixed(1)} MiB (${((during.rss - idle.rss) / n).toFixed(1)} KiB per stream); peak ${(during.peak / 1024).toFixed(1)} MiB`);
  for (const req of requests) req.destroy();
  await new Promise((r) => setTimeout(r, 3000));
  const after = rssKiB(pid);
  console.log(`all ${n} cancelled by the client; RSS 3 s later ${(after.rss / 1024).toFixed(1)} MiB`);
  const status = await request(new URL("/api/challenge/ai-status", app), {
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", origin: app.origin, cookie },
  });
  console.log(`quota used by one of them after the cancellations: ${JSON.parse(status.text).quota.used} (its unit refunded if 0)`);
}

async function poolPhase() {
  await login();
  const samples = Number(args.samples ?? 50);
  const target = Number(args.target ?? 60);
  const poolSize = () =>
    Number(execFileSync("psql", [args.db, "-Atqc", "SELECT count(*) FROM pool_entries"], { encoding: "utf8" }).trim());
  // The first request finds the pool empty, is generated live, and queues the refill.
  await request(new URL("/api/challenge/generate", app), {
    headers: { "content-type": "application/json", origin: app.origin, cookie },
    body: JSON.stringify({ topic: "stack", difficulty: "easy" }),
  });
  const filling = Date.now();
  while (poolSize() < target) {
    if (Date.now() - filling > 300_000) throw new Error(`pool stuck at ${poolSize()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`pool filled to ${target} in ${((Date.now() - filling) / 1000).toFixed(1)} s by the background job`);
  const times = [];
  for (let i = 0; i < samples; i++) {
    const started = nowMicros();
    const res = await request(new URL("/api/challenge/generate", app), {
      headers: { "content-type": "application/json", origin: app.origin, cookie },
      body: JSON.stringify({ topic: "stack", difficulty: "easy" }),
    });
    const done = res.text.split("\n").filter((l) => l.startsWith("data:")).map((l) => JSON.parse(l.slice(5))).find((e) => e.type === "done");
    if (!done) throw new Error(`no question: ${res.text.slice(0, 300)}`);
    if (!done.from_pool) throw new Error(`sample ${i} was not served from the pool; raise POOL_TARGET`);
    const shown = await request(new URL("/api/challenge/get", app), {
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", origin: app.origin, cookie },
      body: `id=${done.challenge_id}`,
    });
    if (shown.status !== 200) throw new Error(`get: ${shown.status}`);
    times.push((nowMicros() - started) / 1000);
  }
  console.log(`warm pool, ${samples} challenges in a row (generate → done → fetch the challenge): p50 ${f(pct(times, 50))} ms, p95 ${f(pct(times, 95))} ms, max ${f(Math.max(...times))} ms`);
}

const phases = { relay: relayPhase, rss: rssPhase, pool: poolPhase };
await phases[args.phase ?? "relay"]();
agent.destroy();
