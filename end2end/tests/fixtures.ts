import { test as base, expect, Page } from "@playwright/test";

/** Records CSP violations reported by `page` into `violations`. */
export function watchCsp(page: Page, violations: string[]) {
  page.on("console", (message) => {
    const text = message.text();
    if (/Content Security Policy/i.test(text)) violations.push(text);
  });
}

// Every spec imports `test` from here: each browser context it uses records Content
// Security Policy violations (Chromium reports each one on the console), and the test
// fails if there was any, so every spec runs under the app's CSP.
export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ context }, use) => {
      const violations: string[] = [];
      context.on("console", (message) => {
        const text = message.text();
        if (/Content Security Policy/i.test(text)) violations.push(text);
      });
      await use(violations);
      expect(violations, "CSP violations").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
export type { Page, APIRequestContext } from "@playwright/test";
