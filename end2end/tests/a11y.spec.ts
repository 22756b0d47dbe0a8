import { test, expect, Page } from "./fixtures";
import AxeBuilder from "@axe-core/playwright";
import { PASSWORD, uniqueEmail, waitForHydration } from "./helpers";

// WCAG 2.1 A and AA rules; a page fails on any "serious" or "critical" violation.
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const BLOCKING = new Set(["serious", "critical"]);

// What the app's own boot script and toggle use (src/ui/mod.rs): localStorage "theme".
const BACKGROUND = { light: "rgb(247, 247, 251)", dark: "rgb(15, 17, 23)" };

/** Scans the page as it is now; records a soft failure listing every blocking violation. */
async function scan(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  // axe files text whose colour equals its background (1:1) under "incomplete", as if it
  // might be hidden on purpose; visible text that measures below its required ratio is a
  // failure here all the same.
  const measuredTooLow = results.incomplete
    .filter((v) => v.id === "color-contrast")
    .map((v) => ({
      ...v,
      impact: "serious" as const,
      nodes: v.nodes.filter((n) => {
        const data = n.any.find((check) => check.id === "color-contrast")?.data as
          | { contrastRatio?: number; expectedContrastRatio?: string }
          | undefined;
        const expected = parseFloat(data?.expectedContrastRatio ?? "");
        return typeof data?.contrastRatio === "number" && data.contrastRatio > 0 && data.contrastRatio < expected;
      }),
    }))
    .filter((v) => v.nodes.length > 0);
  const blocking = [...results.violations.filter((v) => BLOCKING.has(v.impact ?? "")), ...measuredTooLow];
  const report = blocking
    .map((v) => {
      const nodes = v.nodes
        .map((n) => {
          const target = n.target.map((t) => (Array.isArray(t) ? t.join(" >> ") : String(t))).join(" ");
          const why = (n.failureSummary ?? "").split("\n").slice(1, 3).map((l) => l.trim()).filter(Boolean).join(" ");
          return `    - ${target}${why ? `  (${why})` : ""}`;
        })
        .join("\n");
      return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join("\n");
  expect
    .soft(blocking.length, `${label}: ${blocking.length} serious/critical axe violation(s)\n${report}`)
    .toBe(0);
}

async function open(page: Page, path: string) {
  await page.goto(path);
  await waitForHydration(page);
}

for (const theme of ["light", "dark"] as const) {
  test.describe(`${theme} theme`, () => {
    // Both ways the app can pick a theme: the system preference and the remembered toggle.
    test.use({ colorScheme: theme });

    test(`pages have no serious or critical axe violations (${theme})`, async ({ page }) => {
      test.setTimeout(120_000);
      await page.addInitScript((t) => {
        try {
          window.localStorage.setItem("theme", t);
        } catch {
          // about:blank has no storage
        }
      }, theme);

      // Signed out.
      await open(page, "/");
      await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(BACKGROUND[theme]);
      await scan(page, `${theme} / (signed out)`);

      await open(page, "/login");
      await scan(page, `${theme} /login`);

      // /register: the nav's "Sign up" pill is the current route here.
      await open(page, "/register");
      await scan(page, `${theme} /register`);

      // One account per theme.
      await page.getByLabel("Email").fill(uniqueEmail(`a11y-${theme}`));
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page).toHaveURL(/\/wizard$/);
      await expect(page.getByTestId("user-name")).toBeVisible();
      await scan(page, `${theme} /wizard (step 1)`);
      await page.getByTestId("wizard-next").click();
      await expect(page.locator("#wizard-role-error")).toBeVisible();
      await scan(page, `${theme} /wizard (step 1, refused)`);

      await open(page, "/challenge");
      await scan(page, `${theme} /challenge (signed in, no question yet)`);

      // A bank question (deterministic; the e2e server's model is a mock).
      await page.getByTestId("bank-generate").click();
      const card = page.getByTestId("challenge");
      await expect(card).toBeVisible();
      await expect(page).toHaveURL(/\/challenge\?id=\d+/);
      await expect(page.getByTestId("bank-generate")).toBeEnabled();
      await scan(page, `${theme} /challenge (question shown)`);

      await page.getByTestId("option-1").click();
      await expect(page.getByTestId("result")).toBeVisible();
      await expect(page.getByTestId("option-1")).toBeDisabled();
      await scan(page, `${theme} /challenge (answered)`);

      await open(page, "/history");
      await expect(page.getByTestId("history-row").first()).toBeVisible();
      await scan(page, `${theme} /history`);

      await open(page, "/topics");
      await expect(page.getByTestId("topic-row").first()).toBeVisible();
      await scan(page, `${theme} /topics`);

      // Settings, reached from the name in the nav bar; the zone changes with a plain post.
      await page.getByTestId("user-name").click();
      await expect(page).toHaveURL(/\/settings$/);
      await expect(page.getByTestId("profile-form")).toBeVisible();
      await scan(page, `${theme} /settings`);
      await page.getByLabel("Time zone").selectOption("Europe/Berlin");
      await page.getByRole("button", { name: "Save" }).click();
      await expect(page.getByTestId("settings-saved")).toBeVisible();
      await expect(page.getByLabel("Time zone")).toHaveValue("Europe/Berlin");
      await open(page, "/history");
      await expect(page.getByTestId("history-row").first()).toContainText(/ CES?T/);

      await open(page, "/quiz");
      await scan(page, `${theme} /quiz`);
      await page.getByTestId("start-daily").click();
      await expect(page.getByTestId("quiz-question")).toBeVisible();
      await waitForHydration(page);
      await scan(page, `${theme} /quiz/:id (question)`);

      // The challenge above was answered: a card (missed) or the empty queue (right).
      await open(page, "/review");
      await expect(page.getByTestId("review-summary")).toBeVisible();
      await scan(page, `${theme} /review`);

      await open(page, "/notes");
      await expect(page.getByRole("heading", { name: "Notebook" })).toBeVisible();
      await scan(page, `${theme} /notes`);

      // The answers above give the progress page its charts.
      await open(page, "/progress");
      await expect(page.getByTestId("topic-chart")).toBeVisible();
      await scan(page, `${theme} /progress`);
      await open(page, "/");
      await expect(page.getByTestId("first-run")).toBeVisible();
      await scan(page, `${theme} / (signed in, no plan yet)`);

      await open(page, "/");
      await expect(page.getByRole("region", { name: "Your progress" })).toBeVisible();
      await scan(page, `${theme} / (signed in)`);
    });
  });
}
