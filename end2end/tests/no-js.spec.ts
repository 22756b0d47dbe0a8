import { test, expect } from "@playwright/test";

test.use({ javaScriptEnabled: false });

test("home page renders on the server", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Practise coding interviews");
  await expect(page.getByRole("link", { name: "Start a challenge" })).toBeVisible();
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
