import { test, expect, watchCsp } from "./fixtures";
import { PASSWORD, register, uniqueEmail, waitForHydration } from "./helpers";

test("register shows a clear message for each bad field", async ({ page }) => {
  await page.goto("/register");
  await waitForHydration(page);
  const submit = page.getByRole("button", { name: "Create account" });

  await submit.click();
  await expect(page.locator('[data-field="email"]')).toHaveText("Enter your email address.");

  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill(PASSWORD);
  await submit.click();
  await expect(page.locator('[data-field="email"]')).toContainText("valid email");

  await page.getByLabel("Email").fill(uniqueEmail("weak"));
  await page.getByLabel("Password").fill("short");
  await submit.click();
  await expect(page.locator('[data-field="password"]')).toContainText("too weak");

  // The field itself refuses over-long input (the server's own limit is tested in Rust).
  await page.getByLabel("Email").fill(`${"a".repeat(300)}@example.com`);
  expect((await page.getByLabel("Email").inputValue()).length).toBeLessThanOrEqual(254);
  await expect(page).toHaveURL(/\/register/);
  await expect(page.getByTestId("user-name")).toHaveCount(0);
});

test("duplicate email and wrong password are refused with clear messages", async ({ page, browser, cspViolations }) => {
  const email = uniqueEmail("dupe");
  await register(page, email);

  const other = await browser.newPage();
  watchCsp(other, cspViolations);
  await other.goto("/register");
  await waitForHydration(other);
  await other.getByLabel("Email").fill(email.toUpperCase());
  await other.getByLabel("Password").fill(PASSWORD);
  await other.getByRole("button", { name: "Create account" }).click();
  await expect(other.getByRole("alert")).toContainText("already exists");

  await other.goto("/login");
  await waitForHydration(other);
  await other.getByLabel("Email").fill(email);
  await other.getByLabel("Password").fill("wrong password here");
  await other.getByRole("button", { name: "Log in" }).click();
  await expect(other.getByRole("alert")).toHaveText("Wrong email or password.");

  await other.getByLabel("Email").fill(uniqueEmail("nobody"));
  await other.getByRole("button", { name: "Log in" }).click();
  await expect(other.getByRole("alert")).toHaveText("Wrong email or password.");
  await expect(other).toHaveURL(/\/login/);
});
