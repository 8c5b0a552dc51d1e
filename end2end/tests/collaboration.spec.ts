import { test, expect } from "@playwright/test";
import { graph, nodeId, openNewDraft, saved, signUp, waitForHydration } from "./helpers";

test("a save on a stale version shows the conflict, and merging keeps both edits", async ({ browser, baseURL }) => {
  const a = await (await browser.newContext({ baseURL })).newPage();
  const user = await signUp(a);
  const draftId = await openNewDraft(a, "shared");

  const b = await (await browser.newContext({ baseURL })).newPage();
  await b.goto("/signin");
  await waitForHydration(b);
  await b.getByLabel("Email").fill(`${user}@example.com`);
  await b.getByLabel("Password").fill(`${user}-password-123`);
  await b.getByRole("button", { name: "Sign in" }).click();
  await expect(b).toHaveURL(/\/drafts$/);
  await b.goto(`/drafts/${draftId}`);
  await waitForHydration(b);
  await expect(b.locator('.designer[data-ready="true"]')).toBeVisible();

  await a.locator(".palette-item", { hasText: "SNS topic" }).press("Enter");
  await saved(a);

  await b.locator(".palette-item", { hasText: "Kinesis stream" }).press("Enter");
  const dialog = b.getByRole("dialog", { name: "This draft changed while you were editing" });
  await expect(dialog).toBeVisible({ timeout: 15_000 });
  await expect(b.locator(".save-status")).toHaveAttribute("data-status", "conflict");
  await dialog.getByRole("button", { name: "Merge" }).click();
  await saved(b);

  const names = Object.values((await graph(b)).nodes).map((n: any) => n.name).sort();
  expect(names).toEqual(["new-stream-1", "new-topic-1"]);
  await a.reload();
  await expect(a.locator('.designer[data-ready="true"]')).toBeVisible();
  await expect.poll(async () => Object.values((await graph(a)).nodes).map((n: any) => n.name).sort()).toEqual(["new-stream-1", "new-topic-1"]);
  expect(await nodeId(a, "new-topic-1")).toBeTruthy();
});
