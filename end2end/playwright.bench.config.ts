// Frame-time benchmark of the canvas (not part of ./test): scripts/bench-canvas runs it.
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

export default defineConfig({
  ...base,
  testDir: "./bench",
  timeout: 300_000,
  use: { ...base.use, viewport: { width: 1600, height: 1000 } },
});
