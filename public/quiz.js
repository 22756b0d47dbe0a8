// The quiz and review pages' clocks and keys, as plain script: the pages work without it
// (their forms, and the times as the server read them); with it the clocks tick and the
// keys work. 1–4 answer, Enter goes on, P pauses or resumes. Not a wasm island: this small
// script costs the other pages nothing, where an island's shared chunks cost every island
// page.
(() => {
  const clock = document.querySelector("[data-quiz-clock]");
  const marked = clock || document.querySelector("[data-quiz-keys]");
  if (!marked) return;
  if (clock) tick(clock);
  listen();
  marked.dataset.quizReady = "true";
})();

function tick(clock) {
  const left = clock.dataset.leftMs === undefined ? null : Number(clock.dataset.leftMs);
  const question = Number(clock.dataset.questionMs || 0);
  const start = performance.now();
  const pad = (n) => String(n).padStart(2, "0");
  const text = (ms) => {
    const s = Math.floor(Math.max(ms, 0) / 1000);
    const [h, m, r] = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
    return h > 0 ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
  };
  const leftShown = clock.querySelector("[data-quiz-left]");
  const questionShown = clock.querySelector("[data-quiz-question]");
  if (clock.dataset.paused !== "true") {
    const timer = setInterval(() => {
      const passed = performance.now() - start;
      if (questionShown) questionShown.textContent = text(question + passed);
      if (leftShown && left !== null) {
        leftShown.textContent = text(left - passed);
        // The server ends a quiz whose time ran out: ask it again.
        if (passed >= left) {
          clearInterval(timer);
          location.reload();
        }
      }
    }, 1000);
  }
}

function listen() {
  const click = (selector) => {
    const control = document.querySelector(selector);
    if (!control) return false;
    control.click();
    return true;
  };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = event.target instanceof Element ? event.target.tagName : "";
    if (["INPUT", "SELECT", "TEXTAREA"].includes(tag)) return;
    // Enter on a focused button or link already does what it says.
    if (event.key === "Enter" && (tag === "A" || tag === "BUTTON")) return;
    let handled = false;
    if (["1", "2", "3", "4"].includes(event.key)) handled = click(`[data-quiz-choice="${event.key}"]`);
    else if (event.key === "Enter") handled = click("[data-quiz-next]");
    else if (event.key === "p" || event.key === "P") handled = click("[data-quiz-pause]");
    if (handled) event.preventDefault();
  });
}
