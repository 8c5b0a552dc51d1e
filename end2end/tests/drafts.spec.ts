import { test, expect } from "@playwright/test";
import { uniqueName, waitForHydration } from "./helpers";

test("the home page hydrates", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/");
  await expect(page.locator('[data-hydrated="false"]')).toHaveCount(0, { timeout: 10_000 });
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Lambda event wiring");
  expect(errors).toEqual([]);
});

test("a draft created through the form is listed after a reload", async ({ page }) => {
  const name = uniqueName("orders");
  await page.goto("/");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Drafts" }).first().click();
  await expect(page).toHaveURL(/\/drafts$/);
  await waitForHydration(page);

  await page.getByLabel("New draft").fill(name);
  await page.getByRole("button", { name: "Create" }).click();
  // Listed without a reload: the list re-fetches when the create action finishes.
  await expect(page.locator(".draft-name", { hasText: name })).toBeVisible();

  await page.reload();
  await waitForHydration(page);
  await expect(page.locator(".draft-name", { hasText: name })).toHaveCount(1);
});

test("a blank draft name is refused with a message and nothing is created", async ({ page }) => {
  await page.goto("/drafts");
  await waitForHydration(page);
  const before = await page.locator(".draft-name").count();
  const input = page.getByLabel("New draft");
  // Spaces pass the browser's `required` check; the server must refuse them.
  await input.fill("   ");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("alert")).toContainText("Give the draft a name");
  await page.reload();
  await waitForHydration(page);
  await expect(page.locator(".draft-name")).toHaveCount(before);
});
