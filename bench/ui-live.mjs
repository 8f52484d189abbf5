// Issue 13's "the live feed keeps up with 1,000 objects/s without dropping
// events or freezing the page": `kizuna demo`, the dashboard's live feed open
// in Debian's headless Chromium (signed in as us-analyst), then RATE objects
// per second posted over TAXII for SECONDS seconds (batches every 50 ms, on
// two connections). Measured in the page: objects received (must equal the
// objects posted), the longest gap between animation frames and the 99th
// percentile (the page stays responsive: it redraws at most once per frame),
// and long tasks (> 50 ms) reported by the browser. Measured outside: the
// time from the last post to the page showing every object.
//
// Usage (after `make build`): node bench/ui-live.mjs [KIZUNA_BINARY] [RATE] [SECONDS]
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../web/package.json"));
const { chromium } = require("playwright-core");
const binary = resolve(process.argv[2] ?? join(here, "../build/release/kizuna"));
const rate = Number(process.argv[3] ?? 1000);
const seconds = Number(process.argv[4] ?? 10);
const ENERGY = "7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d01";
const US_CENTRE = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e01";

const data = mkdtempSync(join(tmpdir(), "kizuna-ui-live-"));
const hub = spawn(binary, ["demo", "--data-dir", data, "--listen", "127.0.0.1:0"], {
  stdio: ["ignore", "pipe", "inherit"],
});
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
const auth = "Basic " + Buffer.from(`${user.username}:${user.password}`).toString("base64");

let serial = 0;
function batch(n) {
  const now = new Date().toISOString();
  const objects = [];
  for (let i = 0; i < n; i++) {
    const k = ++serial;
    objects.push({
      type: "indicator",
      spec_version: "2.1",
      id: `indicator--b0000000-0000-4000-8000-${String(k).padStart(12, "0")}`,
      created: now,
      modified: now,
      name: `live bench ${k}`,
      pattern: `[ipv4-addr:value = '198.51.${(k >> 8) & 255}.${k & 255}']`,
      pattern_type: "stix",
      valid_from: now,
      created_by_ref: US_CENTRE,
      object_marking_refs: ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
    });
  }
  return JSON.stringify({ objects });
}

async function post(body) {
  const r = await fetch(`${base}/kizuna/collections/${ENERGY}/objects/`, {
    method: "POST",
    headers: {
      Authorization: auth,
      "Content-Type": "application/taxii+json;version=2.1",
      Accept: "application/taxii+json;version=2.1",
    },
    body,
  });
  if (r.status !== 202) throw new Error(`post: ${r.status} ${await r.text()}`);
  await r.arrayBuffer();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/ui/?lang=en`);
  await page.fill("input[name=username]", user.username);
  await page.fill("input[name=password]", user.password);
  await page.click("button[type=submit]");
  await page.waitForSelector("[data-testid=open-incidents]");
  await page.goto(`${base}/ui/live?lang=en&collection=${ENERGY}`);
  await page.waitForSelector("[role=status][data-state=live]");
  // Frame gaps and long tasks, recorded by the page itself.
  await page.evaluate(() => {
    const w = window;
    w.__gaps = [];
    w.__long = [];
    let last = performance.now();
    const tick = (t) => {
      w.__gaps.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__long.push(e.duration))).observe({
      type: "longtask",
      buffered: false,
    });
  });
  const perBatch = Math.max(1, Math.round(rate / 20));
  const batches = Math.round((rate * seconds) / perBatch);
  const t0 = performance.now();
  const inflight = [];
  for (let i = 0; i < batches; i++) {
    const due = t0 + (i * 1000 * perBatch) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(post(batch(perBatch)));
    if (inflight.length >= 2) await inflight.shift();
  }
  await Promise.all(inflight);
  const sent = performance.now();
  const total = batches * perBatch;
  await page.waitForFunction(
    (n) => Number(document.querySelector("[role=status]")?.getAttribute("data-received")) >= n,
    total,
    { timeout: 120_000 },
  );
  const caughtUp = performance.now() - sent;
  const received = Number(await page.getAttribute("[role=status]", "data-received"));
  const { gaps, long } = await page.evaluate(() => ({ gaps: window.__gaps, long: window.__long }));
  const sorted = [...gaps].sort((a, b) => a - b);
  const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
  console.log(
    `posted ${total} objects in ${((sent - t0) / 1000).toFixed(1)} s (${(total / ((sent - t0) / 1000)).toFixed(0)}/s target ${rate}/s)`,
  );
  console.log(`received in the page: ${received} (${received - total} extra, ${Math.max(0, total - received)} missing)`);
  console.log(`all shown ${caughtUp.toFixed(0)} ms after the last post`);
  console.log(
    `frames: ${gaps.length}, gap p99 ${p99.toFixed(1)} ms, max ${Math.max(...gaps).toFixed(1)} ms; long tasks ${long.length} (${long.reduce((a, b) => a + b, 0).toFixed(0)} ms)`,
  );
  await context.close();
} finally {
  await browser.close();
  hub.kill("SIGTERM");
  rmSync(data, { recursive: true, force: true });
}
