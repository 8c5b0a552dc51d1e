// Shared steps for the browser tests.
import { expect, type Page } from "@playwright/test";

/** Waits until the page is hydrated: only a client-side effect sets this marker. */
export async function waitForHydration(page: Page) {
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
}

/** A name no other test run uses, so tests do not depend on each other's data. */
export function uniqueName(prefix: string) {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Signs up a new user with a new team through the form; ends on the drafts page. */
export async function signUp(page: Page, name = uniqueName("user")) {
  await page.goto("/signup");
  await waitForHydration(page);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email").fill(`${name}@example.com`);
  await page.getByLabel("Password (at least 12 characters)").fill(`${name}-password-123`);
  await page.getByLabel("Team name").fill(`${name} team`);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/drafts$/);
  await waitForHydration(page);
  return name;
}
