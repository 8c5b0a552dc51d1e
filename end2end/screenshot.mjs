// Retakes the README screenshot of the designer (docs/designer.png) against a running
// ./run: signs up a new user, opens the example draft and selects its first function.
//   cd end2end && node screenshot.mjs [BASE_URL] [OUT.png]
import { chromium } from "@playwright/test";
const base = process.argv[2] || "http://127.0.0.1:3000";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"] });
const page = await browser.newPage({ viewport: { width: 1440, height: 860 }, baseURL: base });
const name = "Ana";
await page.goto("/signup");
await page.waitForSelector('[data-hydrated="true"]');
await page.getByLabel("Your name").fill(name);
const email = `ana-${Date.now()}@example.com`;
await page.getByLabel("Email").fill(email);
await page.getByLabel("Password (at least 12 characters)").fill("ana-password-123456");
await page.getByLabel("Team name").fill("Platform");
await page.getByRole("button", { name: "Create account" }).click();
await page.waitForURL(/\/drafts$/);
await page.waitForSelector('[data-hydrated="true"]');
await page.getByRole("link", { name: /Thumbnail pipeline/ }).first().click();
await page.waitForSelector('.designer[data-ready="true"]');
await page.waitForTimeout(800);
const g = JSON.parse(await page.evaluate(() => window.eventloomGraph()));
const id = Object.entries(g.nodes).find(([, n]) => n.name === "thumbnail")[0];
const node = page.locator(`[data-node="${id}"] .box`);
await node.click({ force: true });
await page.waitForTimeout(400);
await page.screenshot({ path: process.argv[3] || "../docs/designer.png" });
await browser.close();
