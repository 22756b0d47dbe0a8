import { test, expect } from "./fixtures";
import { register, uniqueEmail } from "./helpers";

test("topics: set a priority and turn one off with the keyboard, add and delete an own topic", async ({ page }) => {
  await register(page, uniqueEmail("topics"));
  await page.goto("/topics");
  await expect(page.getByRole("heading", { level: 1, name: "Topics" })).toBeVisible();
  const rows = page.getByTestId("topic-row");
  await expect(rows.first()).toBeVisible();
  const sql = rows.filter({ has: page.getByRole("heading", { name: "SQL" }) });
  await expect(sql.getByLabel("Active")).toBeChecked();

  // Keyboard only: choose priority 5, then submit with Enter on the Save button.
  await sql.getByLabel("Priority").focus();
  await sql.getByLabel("Priority").selectOption("5");
  await page.keyboard.press("Tab"); // Active
  await page.keyboard.press("Space"); // off
  await page.keyboard.press("Tab"); // Save
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/topics\?saved=sql/);
  await expect(sql.getByRole("status")).toHaveText("Saved ✓");

  // After a reload SQL leads the list (highest priority), turned off.
  await page.reload();
  await expect(rows.first().getByRole("heading", { name: "SQL" })).toBeVisible();
  await expect(rows.first().getByLabel("Priority")).toHaveValue("5");
  await expect(rows.first().getByLabel("Active")).not.toBeChecked();

  // A name the bank already uses is refused next to the form, nothing added.
  const count = await rows.count();
  await page.getByLabel("Name").fill("sql");
  await page.getByRole("button", { name: "Add topic" }).click();
  await expect(page.locator(".new-topic").getByRole("alert")).toContainText("already exists");
  await expect(rows).toHaveCount(count);

  await page.getByLabel("Name").fill("Graph   theory");
  await page.getByLabel("Description (optional)").fill("Shortest paths, BFS and DFS");
  await page.getByRole("button", { name: "Add topic" }).click();
  const own = rows.filter({ has: page.getByRole("heading", { name: "Graph theory" }) });
  await expect(own).toBeVisible();
  await expect(own).toContainText("Your topic");
  await expect(own).toContainText("Shortest paths, BFS and DFS");
  await expect(own).toContainText("No questions yet");
  await expect(rows).toHaveCount(count + 1);

  await own.getByRole("button", { name: "Delete Graph theory" }).click();
  await expect(page.getByRole("status")).toHaveText("Topic deleted.");
  await expect(rows).toHaveCount(count);
});

test("topics: signed out, the page asks to log in", async ({ page }) => {
  await page.goto("/topics");
  await expect(page.getByRole("link", { name: "Log in" }).last()).toHaveAttribute("href", "/login?next=/topics");
});
