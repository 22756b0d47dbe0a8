// Soak / load driver that detects hung HTTP responses. It registers a few users, gives each
// some history (challenges fetched and answered), then keeps --concurrency keep-alive
// connections busy with a seeded random mix of the app's pages (~75 %, as a browser without
// JavaScript sends them; 90 % signed in, 10 % anonymous) and server functions (~25 %,
// including occasional next + answer writes). Every request has a deadline (--timeout-ms): a
// response whose headers and body are not complete by then is counted as HUNG, its socket is
// destroyed, and the run goes on. A separate probe GETs /healthz every second (own agent, no
// keep-alive, 2 s timeout); five failures in a row mark the server as frozen and end the run.
// With --drop P that fraction of page GETs is aborted by the client (socket destroyed) at a
// random 0–30 ms after it starts, or as soon as the response headers arrive if that is sooner
// (counted as `dropped`, never as hung or errors), to exercise the server's cancellation paths.
// Always bounded (--requests and/or --duration), loopback targets only, no dependencies.
// Exit code: 0 if hung <= --max-hung, no 5xx, no transport errors and not frozen; 1 otherwise
// (or if setup fails); 2 for bad arguments.
// Usage: node bench/soak.mjs --app http://127.0.0.1:3005 [--users 20] [--concurrency 32] [--requests 20000] [--duration 0] [--timeout-ms 5000] [--drop 0] [--seed N] [--label sqlite] [--json out.json] [--max-hung 0] [--setup-answers 25]
import http from "node:http";
import { writeFileSync } from "node:fs";

const USAGE =
  "Usage: node bench/soak.mjs --app http://127.0.0.1:3005 [--users 20] [--concurrency 32] [--requests 20000] " +
  "[--duration 0] [--timeout-ms 5000] [--drop 0] [--seed N] [--label sqlite] [--json out.json] [--max-hung 0] [--setup-answers 25]";

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

function usageError(message) {
  console.error(`soak: ${message}\n${USAGE}`);
  process.exit(2);
}

const DEFAULTS = {
  app: "http://127.0.0.1:3005",
  users: "20",
  concurrency: "32",
  requests: "20000",
  duration: "0",
  "timeout-ms": "5000",
  drop: "0",
  seed: String((Date.now() ^ (process.pid << 16)) >>> 0),
  label: "",
  json: "",
  "max-hung": "0",
  "setup-answers": "25",
};

function parseArgs(argv) {
  const out = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1] in DEFAULTS)) usageError(`unknown argument ${arg}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) usageError(`--${m[1]} needs a value`);
    out[m[1]] = value;
  }
  return out;
}

function num(raw, name, { min = 0, max = Infinity, integer = true } = {}) {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    usageError(`--${name} must be ${integer ? "an integer" : "a number"} in [${min}, ${max}], got ${raw}`);
  }
  return v;
}

const raw = parseArgs(process.argv.slice(2));
let app;
try {
  app = new URL(raw.app);
} catch {
  usageError(`--app is not a URL: ${raw.app}`);
}
if (app.protocol !== "http:") usageError(`--app must be plain http://, got ${app.protocol}`);
if (!["127.0.0.1", "localhost", "[::1]"].includes(app.hostname)) {
  usageError(`refusing a non-loopback target ${app.hostname} (only 127.0.0.1, localhost, [::1])`);
}
const opts = {
  users: num(raw.users, "users", { min: 1 }),
  concurrency: num(raw.concurrency, "concurrency", { min: 1, max: 10_000 }),
  requests: num(raw.requests, "requests"),
  duration: num(raw.duration, "duration", { integer: false }),
  timeoutMs: num(raw["timeout-ms"], "timeout-ms", { min: 1 }),
  drop: num(raw.drop, "drop", { max: 1, integer: false }),
  seed: num(raw.seed, "seed", { max: 2 ** 32 - 1 }),
  label: raw.label || app.host,
  json: raw.json,
  maxHung: num(raw["max-hung"], "max-hung"),
  setupAnswers: num(raw["setup-answers"], "setup-answers"),
};
if (opts.requests === 0 && opts.duration === 0) usageError("unbounded run: give --requests > 0 and/or --duration > 0");

// ---------------------------------------------------------------------------------------------
// Helpers: seeded PRNG, percentiles, one HTTP request with a deadline
// ---------------------------------------------------------------------------------------------

/** mulberry32: small, fast, seedable; returns floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (rng, xs) => xs[Math.floor(rng() * xs.length)];
/** Picks a key of `weights` ({ key: weight }) with probability proportional to its weight. */
function weighted(rng, weights) {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  let r = rng() * total;
  for (const [key, w] of Object.entries(weights)) if ((r -= w) < 0) return key;
  return Object.keys(weights).at(-1);
}

const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : null);
const ms = (x) => (x === null ? "n/a" : x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`);
const now = () => performance.now();

const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
const probeAgent = new http.Agent({ keepAlive: false });
const FORM = { "content-type": "application/x-www-form-urlencoded", accept: "application/json", origin: app.origin };
const PAGE = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "user-agent": "promptedcode-soak" };

/**
 * Sends one request and settles exactly once with
 *   { kind: "completed", status, headers, text, ms }      headers and whole body arrived in time
 *   { kind: "hung", ms }                                   not complete by `timeoutMs`; socket destroyed
 *   { kind: "dropped", phase }                             aborted on purpose: after `dropAfterMs`, or when the
 *                                                          headers arrive if sooner (phase: connecting,
 *                                                          awaiting-headers, or reading-body = at the headers)
 *   { kind: "error", code, ms }                            transport failure (reset, refused, ...)
 * The body is kept with `keepBody` and for 5xx answers (bytes are always counted).
 */
function send({ method = "GET", path, headers = {}, body = "", timeoutMs = opts.timeoutMs, dropAfterMs = null, keepBody = false, via = agent }) {
  return new Promise((resolve) => {
    const started = now();
    let settled = false;
    let phase = "connecting";
    let deadline = null;
    let dropTimer = null;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(dropTimer);
      resolve({ ms: now() - started, ...result });
    };
    const req = http.request(
      new URL(path, app),
      { method, agent: via, headers: { ...headers, ...(method === "POST" ? { "content-length": Buffer.byteLength(body) } : {}) } },
      (res) => {
        phase = "reading-body";
        if (dropAfterMs !== null) {
          // Drop mode: abort while the response is arriving, without reading the body.
          finish({ kind: "dropped", phase });
          req.destroy();
          return;
        }
        const keep = keepBody || res.statusCode >= 500;
        const chunks = [];
        let bytes = 0;
        res.on("data", (chunk) => {
          bytes += chunk.length;
          if (keep) chunks.push(chunk);
        });
        res.on("end", () =>
          finish({ kind: "completed", status: res.statusCode, headers: res.headers, bytes, text: keep ? Buffer.concat(chunks).toString("utf8") : "" }),
        );
        res.on("error", (err) => finish({ kind: "error", code: err.code ?? err.message }));
        res.on("close", () => finish({ kind: "error", code: "EPREMATURECLOSE" }));
      },
    );
    req.on("socket", () => {
      if (phase === "connecting") phase = "awaiting-headers";
    });
    req.on("error", (err) => finish({ kind: "error", code: err.code ?? err.message }));
    deadline = setTimeout(() => {
      finish({ kind: "hung" });
      req.destroy();
    }, timeoutMs);
    if (dropAfterMs !== null) {
      dropTimer = setTimeout(() => {
        finish({ kind: "dropped", phase });
        req.destroy();
      }, dropAfterMs);
    }
    req.end(method === "POST" ? body : undefined);
  });
}

const describe = (r) =>
  r.kind === "completed" ? `HTTP ${r.status}: ${r.text.slice(0, 500)}` : r.kind === "error" ? `transport error ${r.code}` : `${r.kind} after ${Math.round(r.ms)} ms`;

/**
 * A 503 from the server's request deadline (src/watchdog.rs: `{"code":"unavailable",…}` JSON for
 * /api/, a "That took too long" page otherwise), as opposed to the AI service being busy
 * (`{"code":"upstream_busy",…}`). Every 503 is a 5xx failure either way; this only labels it.
 */
const isDeadline503 = (r) => r.status === 503 && !/upstream_busy|service is busy/i.test(r.text);

// ---------------------------------------------------------------------------------------------
// Setup: users with history and challenge ids of their own
// ---------------------------------------------------------------------------------------------

const DEFAULT_TOPICS = ["arrays-hashing", "binary-search", "graphs", "stack", "trees", "sql", "python", "rust", "dynamic-programming", "heaps"];
const DIFFICULTIES = ["easy", "medium", "hard"];
let topics = DEFAULT_TOPICS;
/** [{ email, cookie, ids: number[] }] */
const users = [];

class SetupError extends Error {}
async function setupCall(what, request) {
  const r = await send({ keepBody: true, ...request });
  if (r.kind !== "completed") throw new SetupError(`${what}: ${describe(r)}`);
  return r;
}

async function setupUser(index, rng) {
  const email = `soak-${Date.now()}-${index}@example.com`;
  const reg = await setupCall(`register ${email}`, {
    method: "POST",
    path: "/api/register",
    headers: FORM,
    body: `email=${encodeURIComponent(email)}&password=correct+horse+battery&display_name=soak+${index}`,
  });
  const setCookie = [reg.headers["set-cookie"] ?? []].flat().find((c) => c.startsWith("pc_session="));
  if (reg.status !== 200 || !setCookie) throw new SetupError(`register ${email}: ${describe(reg)}`);
  const user = { email, cookie: setCookie.split(";")[0], ids: [] };
  const headers = { ...FORM, cookie: user.cookie };
  // Each (topic, difficulty) has a few bank questions per user; on 409 (all seen) try another.
  const exhausted = new Set();
  const combos = topics.length * DIFFICULTIES.length;
  while (user.ids.length < opts.setupAnswers) {
    if (exhausted.size >= combos) throw new SetupError(`${email}: every topic and difficulty exhausted after ${user.ids.length} answers`);
    const topic = pick(rng, topics);
    const difficulty = pick(rng, DIFFICULTIES);
    if (exhausted.has(`${topic}/${difficulty}`)) continue;
    const next = await setupCall("challenge/next", { method: "POST", path: "/api/challenge/next", headers, body: `topic=${topic}&difficulty=${difficulty}` });
    if (next.status === 409) {
      exhausted.add(`${topic}/${difficulty}`);
      continue;
    }
    const id = next.status === 200 ? JSON.parse(next.text).id : undefined;
    if (!Number.isInteger(id)) throw new SetupError(`challenge/next ${topic} ${difficulty}: ${describe(next)}`);
    const answer = await setupCall("challenge/answer", { method: "POST", path: "/api/challenge/answer", headers, body: `id=${id}&choice=${Math.floor(rng() * 4)}` });
    if (answer.status !== 200) throw new SetupError(`challenge/answer id=${id}: ${describe(answer)}`);
    user.ids.push(id);
  }
  return user;
}

async function setup() {
  const health = await send({ path: "/healthz", keepBody: true });
  if (health.kind !== "completed" || health.status !== 200) throw new SetupError(`GET /healthz: ${describe(health)}`);
  const rng = mulberry32(opts.seed ^ 0x5e7a9);
  // The first user also learns the real topic slugs (falls back to the built-in list).
  users.push(await setupUser(0, rng));
  const listed = await setupCall("topics", { method: "POST", path: "/api/topics", headers: { ...FORM, cookie: users[0].cookie } });
  try {
    const slugs = listed.status === 200 ? JSON.parse(listed.text).map((t) => t.slug).filter(Boolean) : [];
    if (slugs.length) topics = slugs;
  } catch {
    // keep the defaults
  }
  let nextIndex = 1;
  const worker = async () => {
    while (nextIndex < opts.users) users.push(await setupUser(nextIndex++, rng));
  };
  await Promise.all(Array.from({ length: Math.min(4, opts.users - 1) }, worker));
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

const stats = {
  started: 0,
  completed: 0,
  status: { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, other: 0 },
  byStatus: {},
  deadline503: 0,
  errors: 0,
  errorCodes: {},
  errorPaths: [],
  hung: 0,
  hungPaths: [],
  fiveXxPaths: [],
  dropPlanned: 0,
  dropped: 0,
  droppedPhases: { connecting: 0, "awaiting-headers": 0, "reading-body": 0 },
  latencies: [],
};
let loadStart = 0;
let stopReason = null;
const freeze = { frozen: false, firstFailureAtS: null, declaredAtS: null, completedBefore: null, lastProbeError: null };

function stopping() {
  if (stopReason) return true;
  if (opts.requests > 0 && stats.started >= opts.requests) stopReason = "requests";
  else if (opts.duration > 0 && now() - loadStart >= opts.duration * 1000) stopReason = "duration";
  return stopReason !== null;
}

/** Starts one request (if the run is not over) and records its outcome; null if not started. */
async function measured(request, label) {
  if (stopping()) return null;
  stats.started++;
  if (request.dropAfterMs != null) stats.dropPlanned++;
  const r = await send(request);
  if (r.kind === "completed") {
    stats.completed++;
    stats.latencies.push(r.ms);
    const cls = r.status >= 200 && r.status < 600 ? `${Math.floor(r.status / 100)}xx` : "other";
    stats.status[cls in stats.status ? cls : "other"]++;
    stats.byStatus[r.status] = (stats.byStatus[r.status] ?? 0) + 1;
    if (r.status >= 500) {
      if (isDeadline503(r)) stats.deadline503++;
      if (stats.fiveXxPaths.length < 100) stats.fiveXxPaths.push(`${r.status} ${label}`);
    }
  } else if (r.kind === "hung") {
    stats.hung++;
    if (stats.hungPaths.length < 1000) stats.hungPaths.push(label);
  } else if (r.kind === "dropped") {
    stats.dropped++;
    stats.droppedPhases[r.phase]++;
  } else {
    stats.errors++;
    stats.errorCodes[r.code] = (stats.errorCodes[r.code] ?? 0) + 1;
    if (stats.errorPaths.length < 100) stats.errorPaths.push(`${r.code} ${label}`);
  }
  return r;
}

function pagePath(rng, user, n) {
  const anyUser = pick(rng, users);
  const own = user ?? anyUser; // anonymous visitors try someone's id (not theirs)
  return pick(rng, [
    "/",
    "/challenge",
    `/challenge?id=${own.ids.length ? pick(rng, own.ids) : 1}`,
    "/challenge?id=1",
    "/challenge?topic=graphs&difficulty=hard",
    "/history",
    "/history?page=2",
    "/login",
    "/register",
    `/no-such-page-${n}`,
    "/healthz",
  ]);
}

const SERVER_FNS = { me: 2, stats: 2, topics: 1, setup: 2, history: 2, "ai-status": 1, get: 1, current: 2, write: 1 };

async function iteration(rng, n) {
  const user = pick(rng, users);
  if (rng() < 0.75) {
    const signedIn = rng() < 0.9;
    const path = pagePath(rng, signedIn ? user : null, n);
    const drop = opts.drop > 0 && rng() < opts.drop ? rng() * 30 : null;
    const headers = signedIn ? { ...PAGE, cookie: user.cookie } : PAGE;
    await measured({ path, headers, dropAfterMs: drop }, `GET ${path}${signedIn ? "" : " (anonymous)"}`);
    return;
  }
  const headers = { ...FORM, cookie: user.cookie };
  const post = (path, body = "", keepBody = false) => measured({ method: "POST", path, headers, body, keepBody }, `POST ${path}${body ? ` ${body}` : ""}`);
  switch (weighted(rng, SERVER_FNS)) {
    case "me":
      return post("/api/me");
    case "stats":
      return post("/api/stats");
    case "topics":
      return post("/api/topics");
    case "history":
      return post("/api/history", "page=1");
    case "ai-status":
      return post("/api/challenge/ai-status");
    case "setup":
      return post("/api/challenge/setup");
    case "get":
      return post("/api/challenge/get", `id=${user.ids.length ? pick(rng, user.ids) : 1}`);
    case "current":
      return post("/api/challenge/current", rng() < 0.2 ? "" : `id=${user.ids.length ? pick(rng, user.ids) : 1}`);
    default: {
      const next = await post("/api/challenge/next", `topic=${pick(rng, topics)}&difficulty=${pick(rng, DIFFICULTIES)}`, true);
      if (next?.kind !== "completed" || next.status !== 200) return; // 409 (all seen) is a normal answer
      let id;
      try {
        id = JSON.parse(next.text).id;
      } catch {
        return;
      }
      if (!Number.isInteger(id)) return;
      user.ids.push(id);
      return post("/api/challenge/answer", `id=${id}&choice=${Math.floor(rng() * 4)}`);
    }
  }
}

let iterations = 0;
async function loop(index) {
  const rng = mulberry32((opts.seed + Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  while (!stopping()) await iteration(rng, iterations++);
}

// Freeze detector: /healthz every second on its own agent; 5 failures in a row = frozen.
function startProbe() {
  let consecutive = 0;
  let streakStart = null;
  const tick = async () => {
    const at = now();
    const completedAt = stats.completed;
    const r = await send({ path: "/healthz", timeoutMs: 2000, via: probeAgent });
    if (r.kind === "completed" && r.status === 200) {
      consecutive = 0;
      streakStart = null;
      return;
    }
    freeze.lastProbeError = describe(r);
    if (consecutive++ === 0) streakStart = { at, completedAt };
    if (consecutive >= 5 && !freeze.frozen) {
      freeze.frozen = true;
      freeze.firstFailureAtS = (streakStart.at - loadStart) / 1000;
      freeze.declaredAtS = (now() - loadStart) / 1000;
      freeze.completedBefore = streakStart.completedAt;
      stopReason = "frozen";
      console.error(`[soak] FROZEN: /healthz failed 5 times in a row (since ${freeze.firstFailureAtS.toFixed(1)} s; last: ${freeze.lastProbeError})`);
    }
  };
  const timer = setInterval(tick, 1000);
  return () => clearInterval(timer);
}

function startProgress() {
  let last = { t: now(), completed: 0 };
  const timer = setInterval(() => {
    const t = now();
    const rate = (stats.completed - last.completed) / ((t - last.t) / 1000);
    last = { t, completed: stats.completed };
    console.error(
      `[soak] ${((t - loadStart) / 1000).toFixed(0)} s: ${stats.started} started, ${stats.completed} completed, ${rate.toFixed(0)} req/s, ` +
        `hung ${stats.hung}, 5xx ${stats.status["5xx"]}, errors ${stats.errors}${opts.drop > 0 ? `, dropped ${stats.dropped}` : ""}`,
    );
  }, 5000);
  return () => clearInterval(timer);
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function shutdown(code) {
  agent.destroy();
  probeAgent.destroy();
  process.exit(code);
}

const setupStart = now();
try {
  await setup();
} catch (err) {
  console.error(`soak ${opts.label}: setup failed: ${err instanceof SetupError ? err.message : err.stack}`);
  shutdown(1);
}
const setupSeconds = (now() - setupStart) / 1000;
const ids = users.reduce((a, u) => a + u.ids.length, 0);
console.error(`[soak] setup: ${users.length} users, ${ids} answered challenges, ${topics.length} topics in ${setupSeconds.toFixed(1)} s; seed ${opts.seed}`);

loadStart = now();
const stopProbe = startProbe();
const stopProgress = startProgress();
await Promise.all(Array.from({ length: opts.concurrency }, (_, i) => loop(i)));
const elapsed = (now() - loadStart) / 1000;
stopProbe();
stopProgress();

const sorted = Float64Array.from(stats.latencies).sort();
const latency = { p50: pct(sorted, 50), p95: pct(sorted, 95), p99: pct(sorted, 99), max: sorted.length ? sorted[sorted.length - 1] : null };
const reqPerSec = stats.completed / elapsed;
const hungPer10k = stats.started ? (stats.hung / stats.started) * 10_000 : 0;
const fiveXx = stats.status["5xx"];

const failures = [];
if (stats.hung > opts.maxHung) failures.push(`${stats.hung} hung responses (allowed: ${opts.maxHung})`);
if (fiveXx > 0) failures.push(`${fiveXx} 5xx responses${stats.deadline503 ? ` (${stats.deadline503} of them 503 (deadline))` : ""}`);
if (stats.errors > 0) failures.push(`${stats.errors} transport errors (${Object.entries(stats.errorCodes).map(([k, v]) => `${k} ×${v}`).join(", ")})`);
if (freeze.frozen) failures.push(`server froze at ${freeze.firstFailureAtS.toFixed(1)} s after ${freeze.completedBefore} completed requests`);
const code = failures.length ? 1 : 0;

const report = {
  label: opts.label,
  app: app.origin,
  users: users.length,
  concurrency: opts.concurrency,
  timeoutMs: opts.timeoutMs,
  drop: opts.drop,
  seed: opts.seed,
  requestsLimit: opts.requests,
  durationLimitS: opts.duration,
  setupSeconds: Number(setupSeconds.toFixed(3)),
  setupAnswers: ids,
  stopReason,
  elapsedS: Number(elapsed.toFixed(3)),
  started: stats.started,
  completed: stats.completed,
  reqPerSec: Number(reqPerSec.toFixed(1)),
  status: stats.status,
  byStatus: stats.byStatus,
  fiveXx,
  deadline503: stats.deadline503,
  fiveXxPaths: stats.fiveXxPaths,
  errors: stats.errors,
  errorCodes: stats.errorCodes,
  errorPaths: stats.errorPaths,
  hung: stats.hung,
  hungPer10k: Number(hungPer10k.toFixed(2)),
  hungPaths: stats.hungPaths,
  dropPlanned: stats.dropPlanned,
  dropped: stats.dropped,
  droppedPhases: stats.droppedPhases,
  latencyMs: Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, v === null ? null : Number(v.toFixed(3))])),
  frozen: freeze.frozen,
  freeze: freeze.frozen ? freeze : null,
  maxHung: opts.maxHung,
  exitCode: code,
  failures,
};

console.log(
  `soak ${opts.label}: ${stats.started} requests in ${elapsed.toFixed(1)} s (${reqPerSec.toFixed(0)} req/s) at ${opts.concurrency} connections; ` +
    `hung (>${opts.timeoutMs} ms): ${stats.hung} (${hungPer10k.toFixed(2)} per 10k); ` +
    `5xx: ${fiveXx}${stats.deadline503 ? ` (503 (deadline): ${stats.deadline503})` : ""}; errors: ${stats.errors}; dropped: ${stats.dropped}; ` +
    `p50 ${ms(latency.p50)} p95 ${ms(latency.p95)} p99 ${ms(latency.p99)} max ${ms(latency.max)}; ` +
    `frozen: ${freeze.frozen ? `yes, at ${freeze.firstFailureAtS.toFixed(1)} s after ${freeze.completedBefore} completed` : "no"}`,
);
console.log(
  `  status: ${Object.entries(stats.byStatus).map(([k, v]) => `${k} ×${v}`).join(", ") || "none"}; completed ${stats.completed}; stopped by ${stopReason}` +
    (opts.drop > 0 ? `; drops planned ${stats.dropPlanned}, aborted ${stats.dropped} (${Object.entries(stats.droppedPhases).map(([k, v]) => `${k} ${v}`).join(", ")})` : ""),
);
if (stats.hungPaths.length) {
  console.log(`  hung paths (first ${Math.min(10, stats.hungPaths.length)} of ${stats.hung}):`);
  for (const p of stats.hungPaths.slice(0, 10)) console.log(`    ${p}`);
}
if (stats.fiveXxPaths.length) console.log(`  5xx (first ${Math.min(10, stats.fiveXxPaths.length)}): ${stats.fiveXxPaths.slice(0, 10).join("; ")}`);
if (stats.errorPaths.length) console.log(`  errors (first ${Math.min(10, stats.errorPaths.length)}): ${stats.errorPaths.slice(0, 10).join("; ")}`);
if (opts.json) writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
console.log(code === 0 ? "  result: PASS" : `  result: FAIL — ${failures.join("; ")}`);
shutdown(code);
