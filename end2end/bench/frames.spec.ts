// Records frame times while dragging a selection of nodes and while panning, on generated
// graphs of 625 and 5,000 nodes. One pointer move per animation frame, 60 frames each.
import { test, expect, type Page } from "@playwright/test";

const SIZES = (process.env.BENCH_NODES ?? "625,5000").split(",").map(Number);

async function frame(page: Page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
}

/** The zoom the canvas shows, in percent. */
async function zoomLevel(page: Page) {
  return parseFloat((await page.locator(".zoom-level").innerText()).replace("%", ""));
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
    const box = (await page.locator("svg.canvas").boundingBox())!;
    // Zoomed out, a node is only its focus target; the low-detail layer draws it.
    const first = page.locator('[data-node="b0"] :is(.box, .focus-target)').first();
    // At 5,000 nodes the fitted zoom hits the 5% floor and the graph overflows the canvas:
    // pan (space-drag) until the first unit is on screen.
    const b0 = (await first.boundingBox())!;
    const [dx, dy] = [Math.max(0, box.x + 40 - b0.x), Math.max(0, box.y + 40 - b0.y)];
    if (dx > 0 || dy > 0) {
      const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
      await page.keyboard.down(" ");
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      await page.mouse.move(cx + dx, cy + dy, { steps: 5 });
      await page.mouse.up();
      await page.keyboard.up(" ");
    }
    // Select about 48 nodes with a marquee (shift-drag) over the first three units of the
    // first four rows.
    const fb = (await first.boundingBox())!;
    const k = fb.width / 184;
    await page.keyboard.down("Shift");
    await page.mouse.move(Math.max(box.x + 2, fb.x - 10), Math.max(box.y + 2, fb.y - 10));
    await page.mouse.down();
    await page.mouse.move(fb.x + 3 * 900 * k - 40 * k, fb.y + 4 * 220 * k - 20 * k, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.up("Shift");
    const selected = await page.locator("[data-node].selected").count();
    const fitZoom = await zoomLevel(page);
    const drag = await measure(page, { x: fb.x + fb.width / 2, y: fb.y + fb.height / 2 }, 240, 120);
    const pan = await measure(page, { x: box.x + box.width - 60, y: box.y + box.height - 200 }, -300, -150);

    // Then at 100%, around the first node: the same selection, full-size nodes, most of the
    // graph off screen but still in the document.
    // Bring the first node back on screen (the drag and the pan moved it), then zoom at it.
    const bm = (await first.boundingBox())!;
    {
      const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
      await page.keyboard.down(" ");
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      await page.mouse.move(cx + (box.x + 200 - bm.x), cy + (box.y + 150 - bm.y), { steps: 5 });
      await page.mouse.up();
      await page.keyboard.up(" ");
    }
    await frame(page);
    const b = (await first.boundingBox())!;
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    // The canvas zooms by exp(-deltaY × 0.0015) per wheel event; k is the fitted scale.
    await page.mouse.wheel(0, Math.log(k) / 0.0015);
    await expect.poll(() => zoomLevel(page)).toBeGreaterThan(90);
    const zoom = await zoomLevel(page);
    const b1 = (await first.boundingBox())!;
    const drag100 = await measure(page, { x: b1.x + b1.width / 2, y: b1.y + b1.height / 2 }, 240, 120);
    const pan100 = await measure(page, { x: box.x + box.width - 60, y: box.y + box.height - 200 }, -300, -150);
    console.log(
      JSON.stringify({ nodes: n, loadMs, selected, fit: { zoom: fitZoom, drag, pan }, full: { zoom, drag: drag100, pan: pan100 } }),
    );
    expect(drag.frames).toBeGreaterThan(50);
  });
}
