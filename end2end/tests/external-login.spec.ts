import { test, expect } from "./fixtures";

// A real OpenID provider (npm `oidc-provider`, end2end/oidc-provider.mjs) runs beside the app
// (scripts/test.sh starts it and names it "Test IdP"); a person signs in through its own form.
const idp = process.env.E2E_IDP_URL ?? "http://127.0.0.1:4400";

test("sign in with Test IdP, see the linked login, log out here and at the provider", async ({ page }) => {
  const login = `e2e-${Date.now()}`;
  await page.goto("/login");
  await page.getByRole("link", { name: "Sign in with Test IdP" }).click();

  // The provider's own login form.
  await expect(page).toHaveURL(new RegExp(`^${idp}/interaction/`));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();

  // Back in the app, signed in as the provider's user.
  await expect(page).toHaveURL(/\/challenge$/);
  await expect(page.getByTestId("user-name")).toHaveText(login);

  await page.getByTestId("user-name").click();
  await expect(page).toHaveURL(/\/settings$/);
  const linked = page.getByTestId("linked-login");
  await expect(linked).toHaveCount(1);
  await expect(linked).toContainText("Test IdP");
  await expect(linked).toContainText(`${login}@idp.test`);
  await expect(linked).toContainText("Your only way to sign in");

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=testidp$/);
  await expect(page.getByTestId("user-name")).toHaveCount(0);
  await page.getByTestId("provider-logout").click();
  await expect(page).toHaveURL(new RegExp(`^${idp}/session/end`));
  await page.getByRole("button", { name: /Yes, sign me out/ }).click();
  await expect(page).toHaveURL(/\/login/);

  // Signed out at the provider too: signing in again asks for the login there.
  await page.getByRole("link", { name: "Sign in with Test IdP" }).click();
  await expect(page.locator('input[name="login"]')).toBeVisible();
});

test("cancelling at the provider comes back to the login page with a clear message", async ({ page, request }) => {
  const armed = await request.post(`${idp}/__test/error-next`, {
    data: { error: "access_denied", error_description: "The user cancelled" },
  });
  expect(armed.ok()).toBeTruthy();
  await page.goto("/login");
  await page.getByRole("link", { name: "Sign in with Test IdP" }).click();
  await expect(page).toHaveURL(/\/login\?auth_error=cancelled&provider=testidp$/);
  await expect(page.getByTestId("auth-error")).toHaveText("Sign-in with Test IdP was cancelled. You are not signed in.");
  await expect(page.getByTestId("user-name")).toHaveCount(0);
});
