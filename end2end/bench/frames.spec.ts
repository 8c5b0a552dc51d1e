// Records frame times while dragging a selection of nodes and while panning, on generated
// graphs of 625 and 5,000 nodes. One pointer move per animation frame, 60 frames each.
import { test, expect, type Page } from "@playwright/test";

const SIZES = (process.env.BENCH_NODES ?? "625,5000").split(",").map(Number);

async function frame(page: Page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
}

async function measure(page: Page, from: { x: number; y: number }, dx: number, dy: number) {
  await page.evaluate(() => {
    const w = window as any;
    w.__frames = [];
    w.__recording = true;
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      if (w.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.mouse.move(from.x, from.y);
  await frame(page);
  await page.evaluate(() => {
    (window as any).__frames = [];
  });
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) {
    await page.mouse.move(from.x + (dx * i) / 60, from.y + (dy * i) / 60);
    await frame(page);
  }
  await page.mouse.up();
  const frames: number[] = await page.evaluate(() => {
    const w = window as any;
    w.__recording = false;
    return w.__frames.slice(1);
  });
  const sorted = [...frames].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return { frames: frames.length, p50: pct(50), p95: pct(95) };
}

for (const n of SIZES) {
  test(`frame times with ${n} nodes`, async ({ page }) => {
    const t0 = Date.now();
    await page.goto(`/bench?nodes=${n}`);
    await expect(page.locator('.designer[data-bench="true"]')).toBeVisible({ timeout: 120_000 });
    // The generator builds whole units of four nodes.
    await expect(page.locator("[data-node]")).toHaveCount(Math.ceil(n / 4) * 4, { timeout: 120_000 });
    const loadMs = Date.now() - t0;
    // Zoom to 100% around the first unit so the nodes are large enough to grab.
    const box = (await page.locator("svg.canvas").boundingBox())!;
    const first = page.locator('[data-node="b0"] .box');
    // Select every node of the first few units with a marquee (shift-drag).
    const fb = (await first.boundingBox())!;
    // A marquee over the first three units of the first four rows: about 48 nodes.
    const k = fb.width / 184;
    await page.keyboard.down("Shift");
    await page.mouse.move(Math.max(box.x + 2, fb.x - 10), Math.max(box.y + 2, fb.y - 10));
    await page.mouse.down();
    await page.mouse.move(fb.x + 3 * 900 * k - 40 * k, fb.y + 4 * 220 * k - 20 * k, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up("Shift");
    const selected = await page.locator("[data-node].selected").count();
    const drag = await measure(page, { x: fb.x + fb.width / 2, y: fb.y + fb.height / 2 }, 240, 120);
    const pan = await measure(page, { x: box.x + box.width - 60, y: box.y + box.height - 200 }, -300, -150);
    console.log(JSON.stringify({ nodes: n, loadMs, selected, drag, pan }));
    expect(drag.frames).toBeGreaterThan(50);
  });
}
