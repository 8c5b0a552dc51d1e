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

/** Creates a draft through the API (sharing the page's session) and opens the designer. */
export async function openNewDraft(page: Page, name = uniqueName("draft"), content?: unknown) {
  const res = await page.request.post("/api/v1/drafts", { data: { name, content } });
  expect(res.status()).toBe(201);
  const draft = await res.json();
  await page.goto(`/drafts/${draft.summary.id}`);
  await waitForHydration(page);
  await expect(page.locator('.designer[data-ready="true"]')).toBeVisible();
  return draft.summary.id as string;
}

/** The designer's current graph. */
export async function graph(page: Page): Promise<any> {
  return JSON.parse(await page.evaluate(() => (window as any).eventloomGraph()));
}

/** The node id of the node whose label is `name`. */
export async function nodeId(page: Page, name: string): Promise<string> {
  const g = await graph(page);
  const hit = Object.entries(g.nodes).find(([, n]: any) => n.name === name);
  if (!hit) throw new Error(`no node named ${name}`);
  return hit[0];
}

/** Drags from a node's handle to another node with the mouse. */
export async function dragConnect(page: Page, fromId: string, handle: "out" | "success" | "failure", toId: string) {
  const h = page.locator(`[data-node="${fromId}"] [data-handle="${handle}"]`);
  const hb = (await h.boundingBox())!;
  const tb = (await page.locator(`[data-node="${toId}"] .box`).boundingBox())!;
  await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
  await page.mouse.down();
  await page.mouse.move(tb.x + tb.width / 2, tb.y + tb.height / 2, { steps: 8 });
  return {
    release: async () => {
      await page.mouse.up();
    },
  };
}

/** Waits until autosave reports "saved". */
export async function saved(page: Page) {
  await expect(page.locator(".save-status")).toHaveAttribute("data-status", "saved", { timeout: 15_000 });
}
