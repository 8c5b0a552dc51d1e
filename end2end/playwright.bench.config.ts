// Frame-time benchmark of the canvas (not part of ./test): scripts/bench-canvas runs it.
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

export default defineConfig({
  ...base,
  testDir: "./bench",
  timeout: 300_000,
  // No trace: recording one snapshots the whole DOM on every mouse action, in the page's
  // own main thread, which would be measured as the canvas's frame time.
  use: { ...base.use, viewport: { width: 1600, height: 1000 }, trace: "off" },
});
