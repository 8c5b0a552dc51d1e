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
