import { test, expect } from "@playwright/test";
import { signUp, waitForHydration } from "./helpers";

test("a new user deploys the example to the sandbox, overriding review with a reason, and watches it live", async ({ page }) => {
  test.setTimeout(90_000);
  await signUp(page);
  await page.getByRole("link", { name: "Thumbnail pipeline (example)" }).click();
  await expect(page.locator('.designer[data-ready="true"]')).toBeVisible();
  await waitForHydration(page);
  await page.getByRole("link", { name: "Deploy…" }).click();
  await expect(page).toHaveURL(/\/deploy$/);
  await waitForHydration(page);

  // The sandbox is the default target; planning reads it and lists every call with its reason.
  await expect(page.getByLabel("Target")).toContainText("sandbox");
  await page.getByRole("button", { name: "Plan", exact: true }).click();
  const plan = page.locator("section.plan");
  await expect(plan).toBeVisible({ timeout: 30_000 });
  await expect(plan.locator('[data-call="lambda:AddPermission"]').first()).toBeVisible();
  await expect(plan.locator('[data-call="s3:PutBucketNotificationConfiguration"]')).toBeVisible();
  await expect(plan.locator('[data-call="lambda:CreateEventSourceMapping"]')).toBeVisible();
  await expect(plan.locator(".reason").first()).not.toBeEmpty();

  // A team of one has no one to approve: its admin deploys past the gate with a reason.
  await expect(page.getByTestId("gate")).toHaveAttribute("data-open", "false");
  const apply = page.getByTestId("apply");
  await expect(apply).toBeDisabled();
  await page.getByLabel(/Override reason/).fill("Trying the example on the sandbox");
  await expect(apply).toHaveText("Override review and deploy version 1 to sandbox");
  await apply.click();
  const job = page.locator("section.job");
  // Progress arrives over server-sent events while the paced worker runs.
  await expect(job).toHaveAttribute("data-status", /queued|running/);
  await expect(job).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  const progress = job.locator("progress");
  await expect(progress).toHaveAttribute("value", (await progress.getAttribute("max"))!);
  await expect(job.locator('.step[data-status="done"]').first()).toBeVisible();
  await expect(job.getByTestId("job-summary")).toContainText("a fresh read matches the draft");
  await expect(page.locator("table.applies tbody tr")).toHaveCount(1);
  await expect(page.locator("table.applies")).toContainText("succeeded");

  // Live now matches the version: a new plan has nothing to do, and Deploy stays disabled.
  await page.getByRole("button", { name: "Plan", exact: true }).click();
  await expect(page.getByTestId("no-changes")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("apply")).toBeDisabled();
});

test("an admin adds a deploy target, with field errors for what to fix", async ({ page }) => {
  await signUp(page);
  await page.getByRole("link", { name: "Deploy targets" }).click();
  await expect(page).toHaveURL(/\/settings\/targets$/);
  await waitForHydration(page);
  await expect(page.locator('tr[data-target="sandbox"]')).toBeVisible();
  await expect(page.getByTestId("external-id")).toHaveText(/^eventloom-[0-9a-f]{32}$/);

  await page.getByLabel("Name").fill("staging");
  await page.getByLabel("Account id").fill("1234");
  await page.getByLabel("Region").fill("eu-west-1");
  await page.getByLabel("Credentials").selectOption("assume_role");
  await page.getByLabel("Role ARN").fill("arn:aws:iam::210987654321:role/eventloom-deploy");
  await page.getByRole("button", { name: "Add target" }).click();
  await expect(page.locator(".field-error").filter({ hasText: /12 digits/ })).toBeVisible();

  await page.getByLabel("Account id").fill("210987654321");
  await page.getByRole("button", { name: "Add target" }).click();
  const row = page.locator('tr[data-target="staging"]');
  await expect(row).toBeVisible();
  await expect(row).toContainText("210987654321");
  await expect(row).toContainText("assumes arn:aws:iam::210987654321:role/eventloom-deploy");
});
