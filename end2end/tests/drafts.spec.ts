import { test, expect } from "@playwright/test";
import { signUp, uniqueName, waitForHydration } from "./helpers";

test("the home page hydrates", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/");
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Lambda event wiring");
  expect(errors).toEqual([]);
});

test("a draft created through the form is listed after a reload", async ({ page }) => {
  const user = await signUp(page);
  await expect(page.locator(".account")).toContainText(user);
  const name = uniqueName("orders");

  await page.getByLabel("New draft").fill(name);
  await page.getByRole("button", { name: "Create" }).click();
  // Listed without a reload: the list re-fetches when the create action finishes.
  await expect(page.locator(".draft-name", { hasText: name })).toBeVisible();

  await page.reload();
  await waitForHydration(page);
  await expect(page.locator(".draft-name", { hasText: name })).toHaveCount(1);
});

test("a blank draft name is refused with a message and nothing is created", async ({ page }) => {
  await signUp(page);
  const before = await page.locator(".draft-name").count();
  // Spaces pass the browser's `required` check; the server must refuse them.
  await page.getByLabel("New draft").fill("   ");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("alert")).toContainText("Give the draft a name");
  await page.reload();
  await waitForHydration(page);
  await expect(page.locator(".draft-name")).toHaveCount(before);
});

test("signing out ends the session and a wrong password is explained", async ({ page }) => {
  const user = await signUp(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await waitForHydration(page);
  await page.goto("/drafts");
  await expect(page.getByText("to see your team's drafts")).toBeVisible();

  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(`${user}@example.com`);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("do not match");

  await page.getByLabel("Password").fill(`${user}-password-123`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/drafts$/);
  await expect(page.locator(".account")).toContainText(user);
});
