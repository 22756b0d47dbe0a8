import { test, expect, Page } from "./fixtures";
import { PASSWORD, uniqueEmail } from "./helpers";

test.use({ javaScriptEnabled: false });

/** Registers through the plain HTML form; the server answers with the plan wizard, signed in. */
async function registerWithoutJs(page: Page, email: string) {
  await page.goto("/register");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/wizard$/);
  await expect(page.getByTestId("user-name")).toBeVisible();
}

async function loginWithoutJs(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

test("home page renders on the server", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Practise coding interviews");
  await expect(page.getByRole("link", { name: "Start a challenge" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Take a quiz" })).toHaveAttribute("href", "/quiz");
  // The end-to-end server has a model configured: the home page must say so, not "bank".
  await expect(page.getByTestId("mode-note")).toContainText("AI mode");
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute("href", "/manifest.webmanifest");
});

test("challenge page renders on the server with its topics", async ({ page }) => {
  await page.goto("/challenge");
  await expect(page.getByRole("heading", { level: 1, name: "Challenge" })).toBeVisible();
  const topics = page.locator("select#topic option");
  expect(await topics.count()).toBeGreaterThanOrEqual(15);
  await expect(page.getByRole("button", { name: "Generate" })).toBeVisible();
  await expect(page.getByText("Log in to get challenges.")).toBeVisible();
});

test("manifest is served with both icon sizes", async ({ request }) => {
  const res = await request.get("/manifest.webmanifest");
  expect(res.ok()).toBeTruthy();
  const manifest = await res.json();
  expect(manifest.display).toBe("standalone");
  expect(manifest.start_url).toBe("/");
  const sizes = manifest.icons.map((i: any) => i.sizes);
  expect(sizes).toEqual(expect.arrayContaining(["192x192", "512x512"]));
  for (const icon of manifest.icons) {
    const img = await request.get(icon.src);
    expect(img.ok()).toBeTruthy();
    expect(img.headers()["content-type"]).toContain("image/png");
  }
});

test("register without JavaScript signs in and lands on the challenge page", async ({ page }) => {
  await registerWithoutJs(page, uniqueEmail("nojs-register"));
});

test("a wrong password without JavaScript says so on the login page", async ({ page }) => {
  const email = uniqueEmail("nojs-wrong");
  await registerWithoutJs(page, email);
  await page.context().clearCookies();

  await loginWithoutJs(page, email, "not the right password");
  await expect(page.getByText("Wrong email or password.")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByTestId("user-name")).toHaveCount(0);
});

test("sign in without JavaScript lands on the challenge page", async ({ page }) => {
  const email = uniqueEmail("nojs-login");
  await registerWithoutJs(page, email);
  await page.context().clearCookies();
  await page.goto("/challenge");
  await expect(page.getByTestId("user-name")).toHaveCount(0);

  await loginWithoutJs(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/challenge/);
  await expect(page.getByTestId("user-name")).toBeVisible();
});

test("answer a bank question without JavaScript; the result survives a reload", async ({ page }) => {
  await registerWithoutJs(page, uniqueEmail("nojs-answer"));
  await page.goto("/challenge");

  // "arrays" if there is such a topic, else the first arrays one ("arrays-hashing"), else the first.
  const picker = page.locator("select#topic");
  // (Attribute reads, not evaluate(): page scripts are off in this file.)
  const options = picker.locator("option");
  const values: string[] = [];
  for (let i = 0, n = await options.count(); i < n; i++) values.push((await options.nth(i).getAttribute("value")) ?? "");
  expect(values.length).toBeGreaterThan(0);
  const slug = values.find((v) => v === "arrays") ?? values.find((v) => v.startsWith("arrays")) ?? values[0];
  const topicName = (await picker.locator(`option[value="${slug}"]`).textContent())!.trim();
  await picker.selectOption(slug);
  await page.getByText("Medium", { exact: true }).click();
  await expect(page.getByRole("radio", { name: "Medium", exact: true })).toBeChecked();

  await page.getByTestId("bank-generate").click();
  await expect(page).toHaveURL(/\/challenge\?id=\d+/);
  const id = new URL(page.url()).searchParams.get("id")!;
  const card = page.getByTestId("challenge");
  await expect(card).toBeVisible();
  await expect(card).toContainText(topicName);
  await expect(card).toContainText("Medium");
  await expect(page.locator("select#topic")).toHaveValue(slug);
  await expect(page.getByTestId("result")).toHaveCount(0);

  await page.getByTestId("option-2").click();
  const result = page.getByTestId("result");
  await expect(result).toBeVisible();
  await expect(result).toContainText(/Correct!|Not quite\./);
  await expect(page).toHaveURL(new RegExp(`/challenge\\?id=${id}(&|$)`));
  await expect(page.getByTestId("option-2")).toHaveClass(/correct|wrong/);
  const verdict = (await result.textContent())!.includes("Correct!") ? "Correct!" : "Not quite.";

  await page.reload();
  await expect(page.getByTestId("challenge")).toBeVisible();
  await expect(page.getByTestId("result")).toContainText(verdict);
  await expect(page.getByTestId("option-1")).toBeDisabled();
});

test("the plan wizard works without JavaScript: refusals by the field, back, create", async ({ page }) => {
  await registerWithoutJs(page, uniqueEmail("nojs-plan"));
  await page.getByTestId("wizard-next").click();
  await expect(page.locator("#wizard-role-error")).toContainText("Choose the role");
  await expect(page.locator("#wizard-experience-error")).toContainText("Choose how much experience");
  await page.getByLabel("Role you are interviewing for").selectOption("frontend");
  await page.getByLabel("Your experience").selectOption("junior");
  await page.getByTestId("wizard-next").click();
  await expect(page.getByTestId("wizard-step")).toHaveAttribute("data-step", "2");
  await page.getByTestId("wizard-back").click();
  await expect(page.getByTestId("wizard-step")).toHaveAttribute("data-step", "1");
  await expect(page.getByLabel("Role you are interviewing for")).toHaveValue("frontend");
  for (const step of ["2", "3", "4", "5"]) {
    await page.getByTestId("wizard-next").click();
    await expect(page.getByTestId("wizard-step")).toHaveAttribute("data-step", step);
  }
  await expect(page.getByTestId("plan-summary")).toContainText("Frontend engineer");
  await page.getByTestId("wizard-create").click();
  await expect(page).toHaveURL(/\/\?plan=saved$/);
  await expect(page.getByTestId("today-progress")).toHaveText("0 of 10 questions today");
});
