import { test, expect } from "./fixtures";
import { login, register, uniqueEmail, waitForHydration } from "./helpers";

test("register, answer a bank challenge with a key press, find it in history after reload and re-login", async ({ page }) => {
  const email = uniqueEmail("flow");
  await register(page, email);

  await page.goto("/challenge");
  await waitForHydration(page);
  await page.getByLabel("Topic").selectOption({ label: "Stack" });
  await page.getByText("Medium", { exact: true }).click();
  await page.getByTestId("bank-generate").click();

  const card = page.getByTestId("challenge");
  await expect(card).toBeVisible();
  await expect(page).toHaveURL(/\/challenge\?id=\d+/);
  await expect(card.getByTestId("source")).toHaveText("From the bank");
  await expect(card).toContainText("Stack");
  await expect(card).toContainText("Medium");
  const title = (await card.locator("h2").textContent())!.trim();
  expect(title.length).toBeGreaterThan(4);

  await page.keyboard.press("2");
  const result = page.getByTestId("result");
  await expect(result).toBeVisible();
  await expect(result).toHaveText(/(Correct!|Not quite\.) The answer is option [1-4]\./);
  await expect(card.locator(".explanation")).not.toBeEmpty();
  // The chosen option (2) is marked either correct or wrong.
  await expect(page.getByTestId("option-2")).toHaveClass(/correct|wrong/);
  const verdict = (await result.textContent())!.startsWith("Correct") ? "Correct" : "Wrong";

  await page.getByRole("link", { name: "History" }).click();
  const row = page.getByTestId("history-row").filter({ hasText: title });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Stack");
  await expect(row).toContainText("Medium");
  await expect(row).toContainText(verdict);

  // The filter is a plain GET form: its choices live in the address.
  await page.getByLabel("Difficulty").selectOption("hard");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/difficulty=hard/);
  await expect(page.getByTestId("history-row").filter({ hasText: title })).toHaveCount(0);
  await page.getByLabel("Difficulty").selectOption("medium");
  await page.getByLabel("Asked in").selectOption("challenge");
  await page.getByLabel("Search questions").fill(title);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/difficulty=medium&kind=challenge&q=/);
  await expect(page.getByTestId("history-row").filter({ hasText: title })).toHaveCount(1);
  await page.getByLabel("Search questions").fill("zzqx nothing like it");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByText("No challenges match this filter.")).toBeVisible();
  await page.getByRole("link", { name: "Clear" }).click();
  await expect(page).toHaveURL(/\/history$/);

  await page.reload();
  await expect(page.getByTestId("history-row").filter({ hasText: title })).toHaveCount(1);

  await waitForHydration(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
  await page.goto("/history");
  await expect(page.getByText("Log in to see your history.")).toBeVisible();

  await login(page, email);
  await expect(page).toHaveURL(/\/challenge/);
  await page.goto("/history");
  await expect(page.getByTestId("history-row").filter({ hasText: title })).toContainText(verdict);

  // Reopening the challenge shows the recorded answer, and it cannot be answered twice.
  await page.getByRole("link", { name: title }).click();
  await expect(page.getByTestId("result")).toBeVisible();
  await expect(page.getByTestId("option-1")).toBeDisabled();

  // The dashboard counts it.
  await page.goto("/");
  await expect(page.getByRole("region", { name: "Your progress" })).toContainText("1answered");
});

test("keys 1-4 answer, a click answers, and the explanation is rendered markdown", async ({ page }) => {
  await register(page, uniqueEmail("click"));
  await page.goto("/challenge");
  await waitForHydration(page);
  await page.getByLabel("Topic").selectOption({ label: "Python" });
  await page.getByTestId("bank-generate").click();
  await expect(page.getByTestId("challenge")).toBeVisible();
  await page.getByTestId("option-3").click();
  await expect(page.getByTestId("result")).toBeVisible();
  // Python questions carry code: the stem renders a real <pre><code> block, never raw fences.
  await expect(page.locator(".stem pre code").first()).toBeVisible();
  await expect(page.locator(".stem")).not.toContainText("```");

  // B fetches the next unseen bank question (N would ask the model, which is on in e2e).
  const firstUrl = page.url();
  await page.keyboard.press("b");
  await expect(page).not.toHaveURL(firstUrl);
  await expect(page.getByTestId("result")).toHaveCount(0);
});

test("dark mode toggles and is remembered across reloads", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/");
  await waitForHydration(page);
  const root = page.locator("html");
  await page.getByRole("button", { name: "Toggle dark mode" }).click();
  await expect(root).toHaveAttribute("data-theme", "dark");
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(15, 17, 23)");
  await page.reload();
  await expect(root).toHaveAttribute("data-theme", "dark");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Toggle dark mode" }).click();
  await expect(root).toHaveAttribute("data-theme", "light");
});

test("interview realism hides the badges until the answer, and is remembered", async ({ page }) => {
  await register(page, uniqueEmail("realism"));
  await page.goto("/challenge");
  await waitForHydration(page);
  await page.getByTestId("realism").check();
  await page.getByLabel("Topic").selectOption({ label: "Stack" });
  await page.getByText("Easy", { exact: true }).click();
  await page.getByTestId("bank-generate").click();
  const card = page.getByTestId("challenge");
  await expect(card).toBeVisible();
  await expect(card.getByTestId("challenge-topic")).toBeHidden();
  await expect(card.getByTestId("source")).toBeVisible();
  await page.keyboard.press("1");
  await expect(page.getByTestId("result")).toBeVisible();
  await expect(card.getByTestId("challenge-topic")).toHaveText("Stack");
  // The note is written in place, and the answered challenge comes back with it.
  const answeredAt = page.url();
  await page.getByTestId("challenge").getByText("Your note", { exact: true }).click();
  await page.getByLabel("Note (private)").fill("Realism: read the stem twice.");
  await page.getByTestId("note-save").click();
  await expect(page).toHaveURL(/\/challenge\?id=\d+$/);
  expect(answeredAt).toContain(new URL(page.url()).search);
  await expect(page.getByTestId("result")).toBeVisible();
  await expect(page.getByLabel("Note (private)")).toHaveValue("Realism: read the stem twice.");
  await page.goto("/notes");
  await expect(page.getByTestId("note-item")).toContainText("Stack");
  await page.goto("/challenge");

  await page.reload();
  await expect(page.locator("#realism[data-ready]")).toBeChecked();
  await page.getByTestId("realism").uncheck();
  await page.reload();
  await expect(page.locator("#realism[data-ready]")).not.toBeChecked();
});
