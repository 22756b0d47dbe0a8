import { test, expect, Page } from "./fixtures";
import { register, uniqueEmail, waitForHydration } from "./helpers";

// A phone-sized screen (iPhone 12–15 width).
test.use({ viewport: { width: 390, height: 844 } });

/** Nothing on the page is wider than the screen (no sideways scrolling of the page itself). */
async function expectNoPageOverflow(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, "the page scrolls sideways").toBeLessThanOrEqual(clientWidth);
}

test("on a phone: keyboard focus follows the question and the verdict; history fits as cards with no pager", async ({ page }) => {
  await register(page, uniqueEmail("phone"));
  await page.goto("/challenge");
  await waitForHydration(page);
  await expectNoPageOverflow(page);

  await page.getByTestId("bank-generate").click();
  const card = page.getByTestId("challenge");
  await expect(card).toBeVisible();
  // Focus moves to the question's heading when it appears.
  await expect(card.locator("h2")).toBeFocused();
  await expectNoPageOverflow(page);

  await page.keyboard.press("3");
  const result = page.getByTestId("result");
  await expect(result).toBeVisible();
  // …and to the verdict, a live region, once answered.
  await expect(result).toBeFocused();
  await expect(result).toHaveAttribute("aria-live", "polite");
  const title = (await card.locator("h2").textContent())!.trim();

  await page.goto("/history");
  await waitForHydration(page);
  const row = page.getByTestId("history-row").filter({ hasText: title });
  await expect(row).toHaveCount(1);
  await expectNoPageOverflow(page);
  // The result is on screen, not cut off at the right edge.
  const outcome = row.locator(".outcome");
  await expect(outcome).toBeVisible();
  const box = (await outcome.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  // The title wraps to a few lines at most (it used to take four or five).
  const link = row.getByRole("link", { name: title });
  const linkBox = (await link.boundingBox())!;
  const lineHeight = await link.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 24);
  expect(linkBox.height / lineHeight).toBeLessThanOrEqual(3.2);
  // One page of history: no pager with two disabled buttons.
  await expect(page.getByRole("navigation", { name: "History pages" })).toHaveCount(0);
});

test("a form shows every field's problem at once, each linked to its input", async ({ page }) => {
  await page.goto("/register");
  await waitForHydration(page);
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();

  for (const [label, errorId] of [
    ["Email", "reg-email-error"],
    ["Password", "reg-password-error"],
  ] as const) {
    const input = page.getByLabel(label);
    await expect(input).toHaveAttribute("aria-invalid", "true");
    await expect(input).toHaveAttribute("aria-describedby", new RegExp(`\\b${errorId}\\b`));
    const message = page.locator(`#${errorId}`);
    await expect(message).toBeVisible();
    await expect(message).not.toBeEmpty();
  }
  await expect(page.getByLabel("Name (optional)")).toHaveAttribute("aria-invalid", "false");
});
