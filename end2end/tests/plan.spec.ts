import { test, expect } from "./fixtures";
import { register, uniqueEmail } from "./helpers";
import { readFileSync } from "node:fs";

function isoDaysFromNow(days: number): string {
  const date = new Date(Date.now() + days * 86_400_000);
  return date.toISOString().slice(0, 10);
}

test("finish the wizard, see today's plan, answer, watch progress change, export the answers as CSV", async ({ page }) => {
  await register(page, uniqueEmail("plan"));

  // First run: the dashboard points to the wizard.
  await page.goto("/");
  await expect(page.getByTestId("first-run")).toBeVisible();
  await page.getByRole("link", { name: "Make my study plan" }).click();
  await expect(page).toHaveURL(/\/wizard$/);

  // Step 1 checks its fields and says so next to them.
  await expect(page.getByTestId("wizard-step")).toHaveAttribute("data-step", "1");
  await page.getByTestId("wizard-next").click();
  await expect(page.locator("#wizard-role-error")).toContainText("Choose the role");
  await expect(page.getByLabel("Role you are interviewing for")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Role you are interviewing for").selectOption("backend");
  await page.getByLabel("Your experience").selectOption("mid");
  await page.getByTestId("wizard-next").click();

  // Step 2: a date in the past is refused; a date three weeks out is taken.
  await expect(page.getByTestId("wizard-step")).toHaveAttribute("data-step", "2");
  await page.getByLabel("Target companies (optional)").fill("Acme, Globex");
  await page.getByLabel("Interview date (optional)").fill(isoDaysFromNow(-3));
  await page.getByTestId("wizard-next").click();
  await expect(page.locator("#wizard-interview_date-error")).toContainText("in the past");
  await page.getByLabel("Interview date (optional)").fill(isoDaysFromNow(21));
  await page.getByTestId("wizard-next").click();

  // Step 3: Graphs first, SQL second, everything else left out.
  await expect(page.getByTestId("wizard-step")).toHaveAttribute("data-step", "3");
  const selects = page.locator(".priority-row select");
  const count = await selects.count();
  for (let i = 0; i < count; i++) await selects.nth(i).selectOption("skip");
  await page.getByLabel("Graphs", { exact: true }).selectOption("5");
  await page.getByLabel("SQL", { exact: true }).selectOption("3");
  await page.getByTestId("wizard-next").click();

  // Step 4, then a reload: the wizard is where it was.
  await expect(page.getByTestId("wizard-step")).toHaveAttribute("data-step", "4");
  await page.getByLabel("Questions per day").fill("3");
  await page.getByTestId("wizard-next").click();
  await expect(page.getByTestId("wizard-step")).toHaveAttribute("data-step", "5");
  await page.reload();
  const summary = page.getByTestId("plan-summary");
  await expect(summary).toContainText("Acme, Globex");
  await expect(summary).toContainText("3 questions");
  await expect(summary).toContainText("Graphs (5 · highest)");
  await page.getByTestId("wizard-create").click();

  // Today's plan on the dashboard.
  await expect(page).toHaveURL(/\/\?plan=saved$/);
  await expect(page.getByTestId("plan-saved")).toBeVisible();
  const today = page.getByTestId("today-plan");
  await expect(page.getByTestId("today-progress")).toHaveText("0 of 3 questions today");
  const topicLink = today.getByRole("list", { name: "Today's topics" }).getByRole("link").first();
  await expect(topicLink).toHaveText(/Graphs|SQL/);

  // Answer a question from the plan: the count and the progress page follow.
  await topicLink.click();
  await expect(page).toHaveURL(/\/challenge\?topic=(graphs|sql)/);
  await page.getByTestId("bank-generate").click();
  await expect(page.getByTestId("challenge")).toBeVisible();
  await page.keyboard.press("1");
  await expect(page.getByTestId("result")).toBeVisible();
  await page.goto("/");
  await expect(page.getByTestId("today-progress")).toHaveText("1 of 3 questions today");
  await expect(page.getByTestId("streak")).toHaveText("Streak: 1 day");

  await page.goto("/progress");
  await expect(page.getByTestId("progress-totals")).toContainText("1answered");
  await expect(page.getByTestId("topic-chart").locator("svg")).toHaveAttribute("aria-label", /Accuracy by topic: (Graphs|SQL) (0|100) %/);
  await expect(page.getByTestId("volume-chart").locator("rect.chart-bar")).toHaveCount(1);
  await page.getByRole("link", { name: "90 days" }).click();
  await expect(page).toHaveURL(/days=90/);
  await expect(page.getByTestId("volume-chart").locator("rect.chart-bar")).toHaveCount(1);

  // The whole plan, day by day.
  await page.goto("/plan");
  await expect(page.getByTestId("plan-days").locator("tbody tr")).toHaveCount(21);

  // The answers as CSV, from the settings.
  await page.goto("/settings");
  const downloading = page.waitForEvent("download");
  await page.getByTestId("export-csv").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^promptedcode-answers-\d{4}-\d{2}-\d{2}\.csv$/);
  const rows = readFileSync((await download.path())!, "utf8").trim().split("\r\n");
  expect(rows[0]).toBe("answered_at,local_date,topic,difficulty,kind,question_id,question,chosen_option,correct,seconds");
  expect(rows).toHaveLength(2);
  expect(rows[1]).toMatch(/,(graphs|sql),(easy|medium|hard),challenge,\d+,.*,1,(true|false),\d+\.\d$/);
});

test("phones get a one-line bar with a Menu that opens with the keyboard", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await register(page, uniqueEmail("menu"));
  await page.goto("/");
  const bar = await page.locator("header.topbar").boundingBox();
  expect(bar!.height).toBeLessThanOrEqual(60);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "History", exact: true })).toBeHidden();
  const menu = page.locator(".nav-menu summary");
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(nav.getByRole("link", { name: "History", exact: true })).toBeVisible();
  await expect(nav.getByRole("button", { name: "Log out" })).toBeVisible();
  await nav.getByRole("link", { name: "Progress", exact: true }).click();
  await expect(page).toHaveURL(/\/progress$/);
});
