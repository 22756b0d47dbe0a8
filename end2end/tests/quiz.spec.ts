import { test, expect } from "./fixtures";
import { Page } from "@playwright/test";
import { register, uniqueEmail } from "./helpers";

/** Waits until the quiz page's script (clocks and keys) is running. */
async function quizReady(page: Page) {
  await page.locator("[data-quiz-ready]").waitFor({ state: "attached", timeout: 10_000 });
}

/** "9:58" → seconds. */
function seconds(text: string): number {
  const parts = text.trim().split(":").map(Number);
  return parts.reduce((total, part) => total * 60 + part, 0);
}

test("quiz: a timed topic quiz by keyboard, resumed after a reload, paused, finished", async ({ page }) => {
  test.setTimeout(90_000);
  await register(page, uniqueEmail("quiz"));
  await page.goto("/quiz");
  const form = page.locator("form", { has: page.getByTestId("start-topic") });
  await form.getByLabel("Topic").selectOption("sql");
  await form.getByLabel("Questions").fill("5");
  await form.getByLabel("Timed", { exact: true }).check();
  await form.getByLabel("Minutes (when timed)").fill("10");
  await page.getByTestId("start-topic").click();
  await expect(page).toHaveURL(/\/quiz\/\d+$/);
  const quizUrl = page.url();
  await quizReady(page);
  await expect(page.getByTestId("quiz-progress")).toHaveText("Question 1 of 5");

  // The clock ticks down in the browser.
  const left = page.getByTestId("quiz-time-left");
  const first = seconds(await left.innerText());
  expect(first).toBeGreaterThan(590);
  await expect.poll(async () => seconds(await left.innerText()), { timeout: 5_000 }).toBeLessThan(first);

  // Two answers with the keys 1–4; each shows its verdict above the next question.
  await page.keyboard.press("1");
  await expect(page.getByTestId("quiz-progress")).toHaveText("Question 2 of 5");
  await expect(page.getByTestId("quiz-verdict")).toContainText("Question 1: the answer is option");
  await quizReady(page);
  await page.keyboard.press("2");
  await expect(page.getByTestId("quiz-progress")).toHaveText("Question 3 of 5");

  // A reload resumes at question 3 with the time still running down.
  const beforeReload = seconds(await left.innerText());
  await page.goto(quizUrl);
  await quizReady(page);
  await expect(page.getByTestId("quiz-progress")).toHaveText("Question 3 of 5");
  expect(seconds(await left.innerText())).toBeLessThanOrEqual(beforeReload);

  // P pauses (the question is hidden, the clock stops) and resumes.
  await page.keyboard.press("p");
  await expect(page.getByTestId("quiz-paused")).toBeVisible();
  await quizReady(page);
  const paused = await left.innerText();
  await page.waitForTimeout(1_500);
  expect(await left.innerText()).toBe(paused);
  await page.keyboard.press("p");
  await expect(page.getByTestId("quiz-question")).toBeVisible();

  for (const [key, next] of [["3", "Question 4 of 5"], ["4", "Question 5 of 5"]] as const) {
    await quizReady(page);
    await page.keyboard.press(key);
    await expect(page.getByTestId("quiz-progress")).toHaveText(next);
  }
  await quizReady(page);
  await page.keyboard.press("1");
  await expect(page).toHaveURL(/\/quiz\/\d+\/result$/);
  await expect(page.getByTestId("quiz-score")).toContainText("of 5 correct");
  await expect(page.getByTestId("result-item")).toHaveCount(5);

  // The quiz's questions are in the history too.
  await page.goto("/history");
  await expect(page.getByTestId("history-row")).toHaveCount(5);
  const row = page.getByTestId("history-row").first();
  await expect(row.getByText("Quiz", { exact: true })).toBeVisible();
  await row.getByRole("link").click();
  await expect(page).toHaveURL(/\/quiz\/\d+\/result$/);

  // The missed questions are in the review queue (if all five were right, one is flagged).
  const score = Number((await page.getByTestId("quiz-score").innerText()).split(" ")[0]);
  await expect(page.getByTestId("in-review")).toHaveCount(5 - score);
  if (score === 5) {
    await page.getByTestId("flag-review").first().click();
    await expect(page.getByTestId("in-review")).toHaveCount(1);
  }
  await page.goto("/");
  await expect(page.getByTestId("reviews-due")).toContainText(String(Math.max(5 - score, 1)));
  await page.getByTestId("reviews-due").click();
  await expect(page).toHaveURL(/\/review$/);
  await expect(page.getByTestId("review-card")).toBeVisible();
  await quizReady(page);
  const title = await page.locator("#review-title").innerText();
  await page.keyboard.press("2");
  await expect(page.getByTestId("review-verdict")).toContainText(title);
  const inferred = page.locator('[data-testid^="rate-"][aria-pressed="true"]');
  await expect(inferred).toHaveCount(1);
  // One click overrides the rating.
  const override = (await inferred.getAttribute("data-testid")) === "rate-hard" ? "rate-good" : "rate-hard";
  await page.getByTestId(override).click();
  await expect(page.getByTestId(override)).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("review-next-day")).toContainText("Next review");

  // A note on the question, then found in the notebook.
  await page.getByText("Add a note").click();
  await page.getByPlaceholder(/What tripped you up/).fill("Read the WHERE clause before the SELECT list.");
  await page.getByTestId("note-save").click();
  await expect(page).toHaveURL(/\/review\?reviewed=\d+/);
  await expect(page.getByPlaceholder(/What tripped you up/)).toHaveValue("Read the WHERE clause before the SELECT list.");
  await page.goto("/notes");
  const note = page.getByTestId("note-item");
  await expect(note).toHaveCount(1);
  await expect(note.getByRole("heading")).toHaveText(title);
  await expect(note.locator("textarea")).toHaveValue("Read the WHERE clause before the SELECT list.");

  // The card reviewed today is not shown again today.
  await page.goto("/review");
  if (await page.getByTestId("review-card").isVisible()) {
    await expect(page.locator("#review-title")).not.toHaveText(title);
  } else {
    await expect(page.getByTestId("review-done")).toBeVisible();
  }
});

test("quiz: without a session the start page asks to log in; a made-up quiz is not found", async ({ page }) => {
  await page.goto("/quiz");
  await expect(page.getByRole("link", { name: "Log in" }).last()).toHaveAttribute("href", "/login?next=/quiz");
  await register(page, uniqueEmail("quiz-404"));
  await page.goto("/quiz/999999999");
  await expect(page.getByRole("alert")).toHaveText("Quiz not found.");
});
