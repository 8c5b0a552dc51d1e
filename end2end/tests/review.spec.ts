import { test, expect } from "@playwright/test";
import { saved, signUp, uniqueName, waitForHydration } from "./helpers";

test("two teammates review: request, diff, comment and reply, approve, deploy; a new version voids the approval", async ({ browser, baseURL }) => {
  test.setTimeout(150_000);
  const a = await (await browser.newContext({ baseURL })).newPage();
  await signUp(a);
  const inv = await (await a.request.post("/api/v1/team/invitations", { data: { role: "approver" } })).json();
  const b = await (await browser.newContext({ baseURL })).newPage();
  const rita = uniqueName("rita");
  const joined = await b.request.post("/api/v1/auth/signup", {
    data: { email: `${rita}@example.com`, password: `${rita}-password-123`, display_name: rita, invitation: inv.token },
  });
  expect(joined.status()).toBe(201);

  // 1. The author fixes the example's gaps (a new version) and asks rita to review it.
  await a.getByRole("link", { name: "Thumbnail pipeline (example)" }).click();
  await expect(a.locator('.designer[data-ready="true"]')).toBeVisible();
  await waitForHydration(a);
  const draftId = new URL(a.url()).pathname.split("/")[2];
  await a.getByRole("button", { name: /Fix all grants/ }).click();
  await a.locator('.finding[data-code="sqs-visibility-below-timeout"]').getByRole("button", { name: "Fix" }).click();
  await saved(a);
  await expect(a.locator(".problems .finding.error")).toHaveCount(0);
  await a.getByTestId("open-review").click();
  await expect(a).toHaveURL(/\/review$/);
  await waitForHydration(a);
  await a.getByLabel(`${rita} (approver)`).check();
  await a.getByRole("button", { name: "Request review" }).click();
  await expect(a.getByTestId("review-request")).toContainText(`${rita} (waiting)`);

  // 2. The reviewer finds it in the inbox and opens the diff: the change list and the colours.
  await b.goto("/drafts");
  await waitForHydration(b);
  await expect(b.getByTestId("inbox-badge")).toContainText("1");
  await b.getByTestId("inbox-item").getByRole("link").click();
  await expect(b).toHaveURL(/\/review\?to=\d+$/);
  await waitForHydration(b);
  const changes = b.getByTestId("change-list");
  await expect(changes.locator("li.security", { hasText: "granted s3:PutObject" })).toHaveCount(1);
  await expect(changes.locator("li.security", { hasText: "SourceAccount 123456789012 added" })).toHaveCount(1);
  await expect(changes).toContainText("VisibilityTimeout");
  // Security-relevant changes come first.
  await expect(changes.locator("li").first()).toHaveClass(/security/);
  const changed = b.locator('.diff-node[data-status="changed"] .box').first();
  await expect(changed).toBeVisible();
  expect(await changed.evaluate((e) => getComputedStyle(e).stroke)).toBe("rgb(217, 119, 6)");
  await expect(b.getByTestId("findings-resolved")).toContainText("missing-write-role-action");

  // 3. The reviewer comments on an edge; the author replies.
  const edge = b.locator(".diff-edge").first();
  await edge.dispatchEvent("click");
  await expect(b.locator('label[for="new-comment"]')).toContainText("→");
  await b.locator("#new-comment").fill("Should failures also alert on-call?");
  await b.getByRole("button", { name: "Comment", exact: true }).click();
  await expect(b.getByTestId("thread")).toContainText("Should failures also alert on-call?");
  await expect(b.locator(".diff-edge .comment-pin")).toHaveCount(1);

  await a.reload();
  await waitForHydration(a);
  const thread = a.getByTestId("thread").first();
  await expect(thread).toContainText("Should failures also alert on-call?");
  await thread.getByPlaceholder("Reply…").fill("The retry function pages on-call already.");
  await thread.getByRole("button", { name: "Reply" }).click();
  await expect(thread.getByTestId("comment")).toHaveCount(2);
  // The pin is on the edge in the designer too.
  await a.goto(`/drafts/${draftId}`);
  await expect(a.locator('.designer[data-ready="true"]')).toBeVisible();
  await expect(a.locator('[data-edge] [data-testid="comment-pin"]')).toHaveCount(1);

  // 4. The reviewer sees the reply and approves; the author deploys to the sandbox.
  await b.reload();
  await waitForHydration(b);
  await expect(b.getByTestId("thread").getByTestId("comment")).toHaveCount(2);
  await b.getByRole("button", { name: /^Approve version \d+$/ }).click();
  await expect(b.getByTestId("decision").first()).toContainText("approved");

  await a.goto(`/drafts/${draftId}/deploy`);
  await waitForHydration(a);
  await a.getByRole("button", { name: "Plan", exact: true }).click();
  const gate = a.getByTestId("gate");
  await expect(gate).toHaveAttribute("data-open", "true", { timeout: 30_000 });
  await expect(gate).toContainText(rita);
  await a.getByRole("button", { name: /^Deploy version \d+ to sandbox$/ }).click();
  await expect(a.locator("section.job")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });

  // 5. The author edits again: the approval is void and Deploy is disabled.
  await a.goto(`/drafts/${draftId}`);
  await expect(a.locator('.designer[data-ready="true"]')).toBeVisible();
  await waitForHydration(a);
  await a.locator(".palette-item", { hasText: "SNS topic" }).press("Enter");
  await saved(a);
  await a.goto(`/drafts/${draftId}/review`);
  await waitForHydration(a);
  await expect(a.getByTestId("void").first()).toContainText("was saved after this decision");
  await expect(a.getByTestId("gate")).toHaveAttribute("data-open", "false");
  await a.goto(`/drafts/${draftId}/deploy`);
  await waitForHydration(a);
  await a.getByRole("button", { name: "Plan", exact: true }).click();
  await expect(a.getByTestId("gate")).toHaveAttribute("data-open", "false", { timeout: 30_000 });
  await expect(a.getByTestId("gate")).toContainText(/Needs 1 approval of version \d+; has 0/);
  await expect(a.getByTestId("apply")).toBeDisabled();
});

test("the diff colours added elements green, removed red and changed amber", async ({ page }) => {
  await signUp(page);
  const v1 = {
    schema: 1, account: "123456789012", region: "us-east-1",
    nodes: {
      q: { kind: "sqs_queue", name: "jobs" },
      f: { kind: "function", name: "work", timeout: 10, role: { name: "work-role" } },
      t: { kind: "sns_topic", name: "old-topic" },
    },
    edges: { e: { from: "q", to: "f", kind: { type: "trigger" } } },
    layout: { q: { x: 0, y: 0 }, f: { x: 260, y: 0 }, t: { x: 520, y: 0 } },
  };
  const created = await (await page.request.post("/api/v1/drafts", { data: { name: "colours", content: v1 } })).json();
  const v2 = JSON.parse(JSON.stringify(v1));
  delete v2.nodes.t;
  delete v2.layout.t;
  v2.nodes.f.timeout = 20;
  v2.nodes.n = { kind: "sns_topic", name: "new-topic" };
  v2.layout.n = { x: 520, y: 120 };
  v2.edges.d = { from: "f", to: "n", kind: { type: "on_success" } };
  const saved = await page.request.post(`/api/v1/drafts/${created.summary.id}/versions`, {
    data: { base_version: created.latest.id, content: v2 },
  });
  expect(saved.status()).toBe(201);

  await page.goto(`/drafts/${created.summary.id}/review?to=2`);
  await waitForHydration(page);
  const stroke = (sel: string) => page.locator(sel).first().evaluate((e) => getComputedStyle(e).stroke);
  await expect(page.locator('.diff-node[data-status="added"]')).toHaveCount(1);
  expect(await stroke('.diff-node[data-status="added"] .box')).toBe("rgb(22, 163, 74)");
  expect(await stroke('.diff-node[data-status="removed"] .box')).toBe("rgb(220, 38, 38)");
  expect(await stroke('.diff-node[data-status="changed"] .box')).toBe("rgb(217, 119, 6)");
  expect(await stroke(".diff-edge.added .line")).toBe("rgb(22, 163, 74)");
  const changes = page.getByTestId("change-list");
  await expect(changes).toContainText("new-topic");
  await expect(changes).toContainText("old-topic");
  await expect(changes).toContainText("timeout 10 s → 20 s");
});
