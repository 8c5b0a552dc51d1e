import { test, expect, type Page } from "@playwright/test";
import path from "node:path";
import { signUp, waitForHydration } from "./helpers";

// Playwright runs from end2end/, where npm installed axe-core.
const AXE = path.resolve("node_modules/axe-core/axe.min.js");

async function seriousViolations(page: Page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(async () => (window as any).axe.run(document, { resultTypes: ["violations"] }));
  return results.violations
    .filter((v: any) => v.impact === "serious" || v.impact === "critical")
    .map((v: any) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.help} — ${v.nodes[0]?.target}`);
}

test("the drafts list and the designer have no serious or critical axe violations", async ({ page }) => {
  await signUp(page);
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByRole("link", { name: "Thumbnail pipeline (example)" }).click();
  await waitForHydration(page);
  await expect(page.locator('.designer[data-ready="true"]')).toBeVisible();
  await page.locator("[data-node]").first().click();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the team, deploy targets and review pages have no serious or critical axe violations", async ({ page }) => {
  await signUp(page);
  for (const path of ["/settings/team", "/settings/targets"]) {
    await page.goto(path);
    await waitForHydration(page);
    expect(await seriousViolations(page), path).toEqual([]);
  }
  await page.goto("/drafts");
  await page.getByRole("link", { name: "Thumbnail pipeline (example)" }).click();
  await waitForHydration(page);
  const draft = new URL(page.url()).pathname.split("/")[2];
  for (const path of [`/drafts/${draft}/review`, `/drafts/${draft}/deploy`, `/drafts/${draft}/history`]) {
    await page.goto(path);
    await waitForHydration(page);
    expect(await seriousViolations(page), path).toEqual([]);
  }
});
