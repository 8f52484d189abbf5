// Issue 13's "first view usable": the time Debian's headless Chromium takes
// to show the dashboard's sign-in form from a cold page load, and then the
// overview with its numbers after signing in, against `kizuna demo`
// (whole path: the hub serving /ui/, the bundle, the APIs). Each run uses a
// fresh browser context (no cache, no cookies).
//
// Usage (after `make build`): node bench/ui-first-view.mjs [KIZUNA_BINARY] [RUNS]
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../web/package.json"));
const { chromium } = require("playwright-core");
const binary = resolve(process.argv[2] ?? join(here, "../build/release/kizuna"));
const runs = Number(process.argv[3] ?? 20);

function pct(v, p) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}

const dist = join(here, "../web/dist/assets");
let js = 0, jsGz = 0;
for (const f of readdirSync(dist)) {
  if (!f.endsWith(".js")) continue;
  const b = readFileSync(join(dist, f));
  js += statSync(join(dist, f)).size;
  jsGz += gzipSync(b).length;
}
console.log(`initial JavaScript: ${(js / 1024).toFixed(1)} KB, ${(jsGz / 1024).toFixed(1)} KB gzip`);

const data = mkdtempSync(join(tmpdir(), "kizuna-ui-bench-"));
const hub = spawn(binary, ["demo", "--data-dir", data, "--listen", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
const base = await new Promise((ok, fail) => {
  let out = "";
  hub.stdout.on("data", (c) => {
    out += c;
    const m = out.match(/listening on (http:\/\/\S+)/);
    if (m && out.includes("demo hub ready")) ok(m[1]);
  });
  hub.on("exit", (code) => fail(new Error(`hub exited ${code}`)));
});
const creds = JSON.parse(readFileSync(join(data, "demo-credentials.json"), "utf8"));
const user = creds.accounts.find((a) => a.username === "us-analyst");
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
const form = [], overview = [];
try {
  for (let i = 0; i < runs + 2; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(`${base}/ui/?lang=en`);
    await page.waitForSelector("input[name=username]");
    const t1 = performance.now();
    await page.fill("input[name=username]", user.username);
    await page.fill("input[name=password]", user.password);
    const t2 = performance.now();
    await page.click("button[type=submit]");
    await page.waitForSelector("[data-testid=open-incidents]");
    const t3 = performance.now();
    await context.close();
    if (i < 2) continue; // warm-up
    form.push(t1 - t0);
    overview.push(t3 - t2);
  }
} finally {
  await browser.close();
  hub.kill("SIGTERM");
  rmSync(data, { recursive: true, force: true });
}
console.log(`sign-in form shown (cold context): p50 ${pct(form, 0.5).toFixed(0)} ms  p95 ${pct(form, 0.95).toFixed(0)} ms  (${runs} runs)`);
console.log(`sign in -> overview with its numbers: p50 ${pct(overview, 0.5).toFixed(0)} ms  p95 ${pct(overview, 0.95).toFixed(0)} ms`);
