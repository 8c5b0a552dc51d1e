import { test, expect, type Page } from "@playwright/test";
import { dragConnect, graph, nodeId, openNewDraft, saved, signUp, waitForHydration } from "./helpers";
import fs from "node:fs";

async function dropFromPalette(page: Page, label: string, x: number, y: number) {
  const canvas = page.locator("svg.canvas");
  await page.locator(".palette-item", { hasText: label }).first().dragTo(canvas, { targetPosition: { x, y } });
}

test("a chain built with the mouse shows its missing grants, and Fix all grants clears them", async ({ page }) => {
  await signUp(page);
  await openNewDraft(page, "mouse-chain");

  await dropFromPalette(page, "S3 bucket", 40, 160);
  await dropFromPalette(page, "Lambda function", 280, 160);
  await dropFromPalette(page, "SQS queue", 520, 160);
  await expect(page.locator("[data-node]")).toHaveCount(3);

  const [bucket, fn, queue] = [await nodeId(page, "new-bucket-1"), await nodeId(page, "new-function-1"), await nodeId(page, "new-queue-1")];
  await (await dragConnect(page, bucket, "out", fn)).release();
  const failure = await dragConnect(page, fn, "failure", queue);
  await expect(page.locator(".connect-hint")).toContainText("OnFailure");
  await failure.release();
  await expect(page.locator("[data-edge]")).toHaveCount(2);

  const problems = page.locator(".problems");
  await expect(problems.locator('[data-code="missing-invoke-permission"]')).toBeVisible();
  const sqs = problems.locator('[data-code="missing-destination-role-action"]');
  await expect(sqs).toContainText("sqs:SendMessage");

  await page.getByRole("button", { name: /Fix all grants/ }).click();
  await expect(problems.locator('[data-code="missing-invoke-permission"]')).toHaveCount(0);
  await expect(sqs).toHaveCount(0);

  await saved(page);
  const before = await graph(page);
  await page.reload();
  await expect(page.locator('.designer[data-ready="true"]')).toBeVisible();
  await expect.poll(async () => JSON.stringify(await graph(page))).toBe(JSON.stringify(before));
});

test("a refused connection shows why at the cursor and creates nothing", async ({ page }) => {
  await signUp(page);
  await openNewDraft(page, "refused");
  await dropFromPalette(page, "Lambda function", 200, 200);
  await dropFromPalette(page, "SQS queue", 480, 200);
  const queue = await nodeId(page, "new-queue-1");
  await page.locator(`[data-node="${queue}"]`).click();
  const name = page.getByLabel("Name", { exact: true });
  await name.fill("jobs.fifo");
  await name.press("Enter");
  await expect(page.locator(`[data-node="${queue}"] .name`)).toHaveText("jobs.fifo");

  const fn = await nodeId(page, "new-function-1");
  const drag = await dragConnect(page, fn, "failure", queue);
  await expect(page.locator(".connect-hint.refused")).toHaveText("FIFO queues cannot be async destinations: Lambda drops the record");
  await drag.release();

  await expect(page.locator("[data-edge]")).toHaveCount(0);
  expect(Object.keys((await graph(page)).edges)).toHaveLength(0);
});

test("an invalid ARN in the inspector shows its error and is not applied", async ({ page }) => {
  await signUp(page);
  await openNewDraft(page, "arn");
  await page.locator(".palette-item", { hasText: "API Gateway route" }).press("Enter");
  const field = page.getByLabel("Credentials role ARN");
  await field.fill("arn:aws:iam::12:role/invoker");
  await field.press("Enter");
  await expect(page.locator(".field.invalid .field-error")).toContainText("12 digits");
  const node = Object.values((await graph(page)).nodes)[0] as any;
  expect(node.credentials_role).toBeUndefined();

  await field.fill("arn:aws:iam::123456789012:role/invoker");
  await field.press("Enter");
  await expect(page.locator(".field.invalid")).toHaveCount(0);
  await expect.poll(async () => (Object.values((await graph(page)).nodes)[0] as any).credentials_role).toBe("arn:aws:iam::123456789012:role/invoker");
});

test("undo and redo across ten mixed actions return to the exact states", async ({ page }) => {
  await signUp(page);
  await openNewDraft(page, "undo");
  const states: string[] = [JSON.stringify(await graph(page))];
  const record = async () => states.push(JSON.stringify(await graph(page)));

  await page.locator(".palette-item", { hasText: "S3 bucket" }).press("Enter"); await record();
  await page.locator(".palette-item", { hasText: "Lambda function" }).press("Enter"); await record();
  await page.locator(".palette-item", { hasText: "SQS queue" }).press("Enter"); await record();
  const [bucket, fn, queue] = [await nodeId(page, "new-bucket-1"), await nodeId(page, "new-function-1"), await nodeId(page, "new-queue-1")];
  await page.locator(`[data-node="${bucket}"] .focus-target`).focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("ArrowLeft"); await record();
  await (await dragConnect(page, bucket, "out", fn)).release(); await record();
  await (await dragConnect(page, fn, "failure", queue)).release(); await record();
  await page.locator(`[data-node="${fn}"]`).click();
  const timeout = page.getByLabel("Timeout (s)");
  await timeout.fill("30");
  await timeout.press("Enter"); await record();
  await page.locator('.finding[data-code="missing-invoke-permission"]').getByRole("button", { name: "Fix" }).click(); await record();
  await page.getByRole("button", { name: "Auto-layout" }).click(); await record();
  await page.locator(`[data-node="${queue}"]`).click();
  await page.keyboard.press("Delete"); await record();
  expect(new Set(states).size).toBe(11);

  for (let i = 10; i > 0; i--) {
    await page.getByRole("button", { name: "Undo" }).click();
    expect(JSON.stringify(await graph(page))).toBe(states[i - 1]);
  }
  await expect(page.getByRole("button", { name: "Undo" })).toBeDisabled();
  for (let i = 1; i <= 10; i++) {
    await page.keyboard.press("Control+Shift+Z");
    expect(JSON.stringify(await graph(page))).toBe(states[i]);
  }
});

test("the same chain can be built with the keyboard alone, with every step announced", async ({ page }) => {
  await signUp(page);
  await openNewDraft(page, "keyboard");
  const announcer = page.locator("#announcer");
  const kb = page.keyboard;

  // "/" jumps to the palette's search; Tab reaches the first match; Enter places it.
  for (const [query, label, name] of [["s3", "S3 bucket", "new-bucket-1"], ["lambda", "Lambda function", "new-function-1"], ["sqs", "SQS queue", "new-queue-1"]]) {
    await kb.press("Escape");
    await kb.press("/");
    await expect(page.getByLabel("Search services")).toBeFocused();
    await kb.press("Control+A");
    await kb.type(query);
    await kb.press("Tab");
    await expect(page.locator(".palette-item:focus")).toContainText(label);
    await kb.press("Enter");
    await expect(announcer).toHaveText(`Added ${label} ${name}`);
  }

  // C opens the connect dialog on the From list; typing picks an entry, Tab moves on.
  await kb.press("Escape");
  await kb.press("c");
  const dialog = page.getByRole("dialog", { name: "Connect" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("From")).toBeFocused();
  await kb.type("new-b");
  await kb.press("Tab");
  await kb.type("new-f");
  await expect(dialog.getByLabel("To")).toHaveValue(await nodeId(page, "new-function-1"));
  await kb.press("Tab");
  await expect(dialog.getByLabel("Trigger")).toBeChecked();
  await expect(dialog.getByLabel("Trigger")).toBeFocused();
  await kb.press("Tab");
  await expect(dialog.getByRole("button", { name: "Connect" })).toBeFocused();
  await kb.press("Enter");
  await expect(announcer).toHaveText("Connected new-bucket-1 to new-function-1 as trigger");

  await kb.press("c");
  await expect(dialog.getByLabel("From")).toBeFocused();
  await kb.type("new-f");
  await kb.press("Tab");
  await kb.type("new-q");
  await kb.press("Tab");
  await expect(dialog.getByLabel("OnSuccess destination")).toBeFocused();
  await kb.press("ArrowDown");
  await expect(dialog.getByLabel("OnFailure destination")).toBeChecked();
  await kb.press("Tab");
  await kb.press("Enter");
  await expect(announcer).toHaveText("Connected new-function-1 to new-queue-1 as OnFailure");

  const g = await graph(page);
  const kinds = Object.values(g.edges).map((e: any) => e.kind.type).sort();
  expect(kinds).toEqual(["on_failure", "trigger"]);

  // Edges take the keyboard too: Tab reaches one, Enter selects it, Delete removes it.
  let reached = false;
  for (let i = 0; i < 60 && !reached; i++) {
    await kb.press("Tab");
    reached = await page.evaluate(() => !!document.activeElement?.matches(".edge.on-failure .hit"));
  }
  expect(reached, "Tab reaches the OnFailure edge").toBe(true);
  await expect(page.locator(".edge.on-failure .hit")).toHaveAttribute("aria-label", /OnFailure/);
  await kb.press("Enter");
  await expect(announcer).toHaveText(/Selected/);
  await kb.press("Delete");
  await expect.poll(async () => Object.keys((await graph(page)).edges).length).toBe(1);
});

test("exports the graph as JSON, SVG and PNG, and imports JSON back", async ({ page }) => {
  await signUp(page);
  await page.getByRole("link", { name: "Thumbnail pipeline (example)" }).click();
  await expect(page.locator('.designer[data-ready="true"]')).toBeVisible();
  const original = await graph(page);

  const [json] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
  expect(json.suggestedFilename()).toMatch(/\.eventloom\.json$/);
  const exported = JSON.parse(fs.readFileSync(await json.path(), "utf8"));
  expect(exported).toEqual(original);

  const [svg] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "SVG" }).click()]);
  const svgText: string = fs.readFileSync(await svg.path(), "utf8");
  expect(svgText.startsWith("<svg")).toBe(true);
  // Every node and edge is in it, labelled, even those off screen.
  for (const id of Object.keys(original.nodes)) expect(svgText).toContain(`data-node="${id}"`);
  for (const id of Object.keys(original.edges)) expect(svgText).toContain(`data-edge="${id}"`);
  for (const n of Object.values(original.nodes) as any[]) expect(svgText).toContain(n.name.slice(0, 20));
  // Drawn as an image, it shows the boxes: a node's box is white where its label is not.
  const shot = await page.evaluate(async (text) => {
    const img = new Image();
    img.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(text)));
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext("2d")!;
    ctx.drawImage(img, 0, 0);
    const box = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    box.innerHTML = text;
    const first = box.querySelector("[data-node]")!.getAttribute("transform")!;
    const [x, y] = first.match(/[-\d.]+/g)!.map(Number);
    const shift = box.querySelector("svg > g")!.getAttribute("transform")!.match(/[-\d.]+/g)!.map(Number);
    // A point inside the box, right of the icon and below the labels.
    const px = ctx.getImageData(shift[0] + x + 150, shift[1] + y + 52, 1, 1).data;
    return { w: c.width, h: c.height, px: Array.from(px) };
  }, svgText);
  expect(shot.w).toBeGreaterThan(400);
  expect(shot.px.slice(0, 3)).toEqual([255, 255, 255]);

  const [png] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "PNG" }).click()]);
  const pngBytes: Buffer = fs.readFileSync(await png.path());
  expect(pngBytes.subarray(1, 4).toString()).toBe("PNG");
  // Width and height from the IHDR chunk: the whole diagram at 2×.
  expect(pngBytes.readUInt32BE(16)).toBe(shot.w * 2);
  expect(pngBytes.readUInt32BE(20)).toBe(shot.h * 2);

  // Import into a new draft: the graph arrives whole. Leave only once autosave is done, or
  // the unsaved-edits guard rightly holds the page.
  await saved(page);
  await openNewDraft(page, "imported");
  await page.locator('input[type="file"]').setInputFiles(await json.path());
  await expect.poll(async () => Object.keys((await graph(page)).nodes).sort()).toEqual(Object.keys(original.nodes).sort());
});

test("two fingers on a touch screen zoom the canvas around their midpoint", async ({ page }) => {
  await signUp(page);
  await page.getByRole("link", { name: "Thumbnail pipeline (example)" }).click();
  await expect(page.locator('.designer[data-ready="true"]')).toBeVisible();
  await waitForHydration(page);
  const scale = async () => {
    const t = (await page.locator("svg.canvas g.world").getAttribute("transform")) ?? "";
    return Number(/scale\(([\d.]+)\)/.exec(t)![1]);
  };
  const before = await scale();
  const box = (await page.locator("svg.canvas").boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const cdp = await page.context().newCDPSession(page);
  const touch = (type: string, spread: number) =>
    cdp.send("Input.dispatchTouchEvent", {
      type,
      touchPoints:
        type === "touchEnd"
          ? []
          : [
              { x: cx - spread, y: cy, id: 1 },
              { x: cx + spread, y: cy, id: 2 },
            ],
    });
  await touch("touchStart", 40);
  for (const s of [60, 80, 100, 120]) await touch("touchMove", s);
  await touch("touchEnd", 0);

  await expect.poll(scale).toBeGreaterThan(Math.min(before * 2, 2.9));
});
