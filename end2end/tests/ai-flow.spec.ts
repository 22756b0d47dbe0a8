import { test, expect, APIRequestContext } from "./fixtures";
import { register, uniqueEmail, waitForHydration } from "./helpers";

// The e2e server talks to the local OpenAI-compatible mock (examples/mock_llm.rs) started by
// scripts/test.sh with LLM_MODEL=fresh-slow: a new question per call, streamed slowly.
const mock = process.env.MOCK_LLM_URL ?? "http://127.0.0.1:3900";

// A learner in India: the zone their browser reports at sign-up is the one their quota
// resets in (a fractional offset, so a wrong zone would show).
test.use({ timezoneId: "Asia/Kolkata" });

async function streamsCut(request: APIRequestContext): Promise<number> {
  const res = await request.get(`${mock}/stats`);
  expect(res.ok()).toBeTruthy();
  return (await res.json()).streams_cut;
}

test("generate with AI: watch it being written, answer it, read the explanation", async ({ page }) => {
  await register(page, uniqueEmail("ai"));
  await page.goto("/challenge");
  await waitForHydration(page);
  await expect(page.getByTestId("mode-note")).toContainText("AI mode");
  await expect(page.getByTestId("quota")).toContainText("AI questions left today: 50 of 50");
  await expect(page.getByTestId("quota")).toContainText(/resets at midnight \(Asia\/(Kolkata|Calcutta)\)/);

  await page.getByLabel("Topic").selectOption({ label: "Stack" });
  await page.getByText("Easy", { exact: true }).click();
  await page.getByTestId("ai-generate").click();

  const progress = page.getByTestId("ai-progress");
  await expect(progress).toBeVisible();
  await expect(progress.locator("li.active")).toHaveText("Writing the question");
  // The title and stem appear while the model writes; the key never does.
  await expect(page.getByTestId("ai-preview")).toContainText("Second word, round");
  await expect(page.getByTestId("ai-preview")).not.toContainText("answer_index");
  await expect(page.getByTestId("ai-preview")).toContainText("Which word came second?");

  const card = page.getByTestId("challenge");
  await expect(card).toBeVisible();
  await expect(page).toHaveURL(/\/challenge\?id=\d+/);
  await expect(progress).toBeHidden();
  await expect(card.getByTestId("source")).toHaveText("AI-generated, verified");
  await expect(card.locator("h2")).toContainText("Second word, round");
  await expect(page.getByTestId("quota")).toContainText("AI questions left today: 49 of 50");

  // The mock's key is always option 2.
  await page.keyboard.press("2");
  await expect(page.getByTestId("result")).toHaveText("Correct! The answer is option 2.");
  await expect(card.locator(".explanation")).toContainText("so the second word is");
});

test("cancel mid-stream stops the upstream request and charges nothing", async ({ page, request }) => {
  await register(page, uniqueEmail("cancel"));
  await page.goto("/challenge");
  await waitForHydration(page);
  await expect(page.getByTestId("quota")).toContainText("50 of 50");
  const cutBefore = await streamsCut(request);

  await page.keyboard.press("n");
  await expect(page.getByTestId("ai-preview")).toContainText("Second word, round");
  await page.getByTestId("ai-cancel").click();

  await expect(page.getByTestId("ai-notice")).toHaveText("Cancelled.");
  await expect(page.getByTestId("ai-progress")).toBeHidden();
  await expect(page.getByTestId("challenge")).toHaveCount(0);
  await expect.poll(() => streamsCut(request)).toBe(cutBefore + 1);
  await expect(page.getByTestId("quota")).toContainText("AI questions left today: 50 of 50");

  // Escape cancels too.
  await page.keyboard.press("n");
  await expect(page.getByTestId("ai-preview")).toContainText("Second word, round");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("ai-notice")).toHaveText("Cancelled.");
  await expect.poll(() => streamsCut(request)).toBe(cutBefore + 2);
});
