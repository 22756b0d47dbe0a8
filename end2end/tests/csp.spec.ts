import { test as plain, expect } from "@playwright/test";
import { waitForHydration } from "./helpers";

// The other specs fail on any CSP violation; this one shows the policy is really enforced
// (and that a violation is really seen): an injected inline script does not run and a
// remote image (say, in model-written markdown) is not loaded.
plain("the CSP blocks injected inline scripts and remote images, and says so", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto("/");
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval' 'nonce-");
  expect(policy).toContain("img-src 'self' data:");
  expect(policy).toContain("frame-ancestors 'none'");
  await waitForHydration(page);

  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.__injected = true;";
    document.body.appendChild(script);
    const img = document.createElement("img");
    img.src = "https://tracker.example/pixel.png";
    document.body.appendChild(img);
  });
  await expect.poll(() => violations.length).toBeGreaterThanOrEqual(2);
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  expect(violations.some((v) => /script/i.test(v))).toBeTruthy();
  expect(violations.some((v) => /img-src|image/i.test(v))).toBeTruthy();
});
