import { test, expect } from "@playwright/test";
import { signUp, uniqueName, waitForHydration } from "./helpers";

test("an admin invites a teammate with a link, changes their role and removes them", async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const admin = await (await browser.newContext({ baseURL })).newPage();
  await signUp(admin);
  await admin.getByRole("link", { name: "Team", exact: true }).click();
  await expect(admin).toHaveURL(/\/settings\/team$/);
  await waitForHydration(admin);
  await expect(admin.getByRole("table", { name: "Members" }).getByRole("row")).toHaveCount(2);
  await expect(admin.getByText("(you)")).toBeVisible();

  // The link is shown once, to the admin, for the chosen role.
  await admin.getByLabel("Role", { exact: true }).selectOption("approver");
  await admin.getByRole("button", { name: "Create invitation link" }).click();
  const link = await admin.getByTestId("invite-link").inputValue();
  expect(link).toMatch(/^http:\/\/.+\/join\/[A-Za-z0-9_-]+$/);

  const mate = await (await browser.newContext({ baseURL })).newPage();
  const rita = uniqueName("rita");
  await mate.goto(link);
  await waitForHydration(mate);
  await mate.getByLabel("Your name").fill(rita);
  await mate.getByLabel("Email").fill(`${rita}@example.com`);
  await mate.getByLabel("Password (at least 12 characters)").fill(`${rita}-password-123`);
  await mate.getByRole("button", { name: /Join|Create account/ }).click();
  await expect(mate).toHaveURL(/\/drafts$/);

  await admin.reload();
  await waitForHydration(admin);
  const row = admin.locator(`tr[data-member="${rita}@example.com"]`);
  await expect(row.getByTestId("member-role")).toHaveValue("approver");
  await row.getByTestId("member-role").selectOption("viewer");
  await expect(admin.getByRole("status")).toContainText(`${rita} is now viewer`);

  admin.once("dialog", (d) => d.accept());
  await row.getByRole("button", { name: `Remove ${rita}` }).click();
  await expect(admin.getByRole("status")).toContainText(`${rita} was removed from the team`);
  await expect(row).toHaveCount(0);
  const audit = admin.getByRole("table").filter({ hasText: "member.removed" });
  await expect(audit).toContainText("member.role_changed");

  // The removed teammate is signed out at their next step.
  await mate.goto("/drafts");
  await waitForHydration(mate);
  await expect(mate.getByRole("link", { name: "Sign in" }).first()).toBeVisible();
  const res = await mate.request.get("/api/v1/drafts");
  expect(res.status()).toBe(401);
});
