// Quiz answers under load: each seeded learner (one session each) takes topic quizzes one
// after another, as a browser with script would: start a quiz, then for every question
// look at it (the server stamps when it was shown) and answer it. Every learner has one
// request in flight at a time, so --users is the number of concurrent users. Answers are
// the measured requests: their latency (p50, p99), their rate, and every acknowledged one
// (200) is counted, so the caller can compare it with the answer rows in the database.
// --think-ms is how long a learner reads a question before answering (0: no pause, every
// learner always has a request in flight, which measures the server's capacity).
// --ramp-s spreads the learners' arrival evenly over the first seconds (people do not all
// press Start in the same millisecond); every answer counts, the ramp's included.
// Prints one JSON line. No dependencies; loopback targets only.
// Usage: node bench/quiz-load.mjs --app http://127.0.0.1:3011 --sessions FILE
//          [--users 300] [--duration 30] [--topic sql] [--count 10] [--think-ms 0] [--ramp-s 0]
import http from "node:http";
import { readFileSync } from "node:fs";

const args = { app: "", sessions: "", users: "300", duration: "30", topic: "sql", count: "10", "think-ms": "0", "ramp-s": "0" };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, "");
  if (!(key in args) || process.argv[i + 1] === undefined) {
    console.error(`quiz-load: bad argument ${process.argv[i]}`);
    process.exit(2);
  }
  args[key] = process.argv[i + 1];
}
const app = new URL(args.app);
if (!["127.0.0.1", "localhost"].includes(app.hostname)) {
  console.error("quiz-load: loopback targets only");
  process.exit(2);
}
const tokens = readFileSync(args.sessions, "utf8")
  .split("\n")
  .map((line) => line.split(",")[0])
  .filter((token) => /^[0-9a-f]{64}$/.test(token));
const users = Number(args.users);
if (tokens.length < users) {
  console.error(`quiz-load: ${tokens.length} sessions for ${users} users`);
  process.exit(2);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: users + 8 });
function post(path, form, token) {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: app.hostname,
        port: app.port,
        path,
        method: "POST",
        agent,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          accept: "application/json",
          origin: app.origin,
          cookie: `pc_session=${token}`,
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode, text }));
      },
    );
    request.setTimeout(10_000, () => request.destroy(new Error("timeout")));
    request.on("error", reject);
    request.end(body);
  });
}

const stats = { answers: [], starts: [], windows: [], acked: 0, quizzes: 0, requests: 0, status5xx: 0, other: {}, errors: 0 };
function note(status) {
  stats.requests += 1;
  if (status >= 500) stats.status5xx += 1;
  else if (status !== 200) stats.other[status] = (stats.other[status] || 0) + 1;
}

const deadline = performance.now() + Number(args.duration) * 1000;
const ramp = Number(args["ramp-s"]) * 1000;
async function learner(token, seed) {
  let choice = seed % 4;
  await new Promise((done) => setTimeout(done, (ramp * seed) / users));
  while (performance.now() < deadline) {
    const startBegan = performance.now();
    const start = await post(
      "/api/quiz/start",
      { kind: "topic", topic: args.topic, difficulty: "mixed", count: args.count },
      token,
    );
    stats.starts.push(performance.now() - startBegan);
    note(start.status);
    if (start.status !== 200) continue;
    stats.quizzes += 1;
    const id = start.text.trim();
    for (let position = 0; position < Number(args.count); position++) {
      if (performance.now() >= deadline) return;
      const view = await post("/api/quiz/view", { id }, token);
      note(view.status);
      choice = (choice + 1) % 4;
      const think = Number(args["think-ms"]);
      // Spread around the mean (0.5–1.5×) so the learners do not move in step.
      if (think > 0) await new Promise((done) => setTimeout(done, think * (0.5 + Math.random())));
      if (performance.now() >= deadline) return;
      const began = performance.now();
      const answer = await post("/api/quiz/answer", { id, position, choice }, token);
      const took = performance.now() - began;
      stats.answers.push(took);
      const window = Math.floor((began - firstBegan) / 10_000);
      (stats.windows[window] ||= []).push(took);
      note(answer.status);
      if (answer.status === 200) stats.acked += 1;
      else break;
    }
  }
}

const firstBegan = performance.now();
await Promise.all(
  tokens.slice(0, users).map((token, n) =>
    learner(token, n).catch(() => {
      stats.errors += 1;
    }),
  ),
);
const seconds = (performance.now() - firstBegan) / 1000;
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2)) : 0;
};
const at = (q) => quantile(stats.answers, q);
console.log(
  JSON.stringify({
    users,
    think_ms: Number(args["think-ms"]),
    seconds: Number(seconds.toFixed(1)),
    answers_acked: stats.acked,
    answers_per_sec: Math.round(stats.acked / seconds),
    requests_per_sec: Math.round(stats.requests / seconds),
    ramp_s: Number(args["ramp-s"]),
    answer_p50_ms: at(0.5),
    answer_p99_ms: at(0.99),
    answer_max_ms: at(1),
    // p99 of the answers begun in each 10 s of the run.
    answer_p99_per_10s: stats.windows.map((w) => quantile(w || [], 0.99)),
    start_p50_ms: quantile(stats.starts, 0.5),
    start_p99_ms: quantile(stats.starts, 0.99),
    quizzes_started: stats.quizzes,
    status_5xx: stats.status5xx,
    other_statuses: stats.other,
    transport_errors: stats.errors,
  }),
);
agent.destroy();
