// End-to-end: the real `kizuna demo` hub (KIZUNA_BINARY) serving the built
// dashboard, driven by Debian's Chromium (CHROMIUM, default
// /usr/bin/chromium) through playwright-core. In both languages: sign in,
// the overview and the incidents view render with the reader's own counts,
// the language is in <html lang> and remembered, a wrong password is
// refused, signing out returns to the sign-in form; no Content-Security-
// Policy violation and no serious accessibility violation (axe-core) on any
// page. Two accounts with different rights see different counts.
// Screenshots of each view in each language go to e2e/artifacts/.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const binary = resolve(process.env.KIZUNA_BINARY ?? join(here, "../../build/release/kizuna"));
const browserPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const artifacts = join(here, "artifacts");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let failures = 0;
function check(ok, what) {
  if (ok) {
    console.log(`ok   ${what}`);
  } else {
    failures++;
    console.log(`FAIL ${what}`);
  }
}

function startHub(dataDir) {
  return new Promise((resolveStart, reject) => {
    const hub = spawn(binary, ["demo", "--data-dir", dataDir, "--listen", "127.0.0.1:0"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the hub did not start: ${out}`)), 120_000);
    hub.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m && out.includes("demo hub ready")) {
        clearTimeout(timer);
        resolveStart({ hub, base: m[1] });
      }
    });
    hub.on("exit", (code) => reject(new Error(`the hub exited (${code}): ${out}`)));
  });
}

async function axeSerious(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  });
  return result;
}

// The demo's US national centre (us-analyst's organization).
const US_CENTRE = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e01";

// Posts one GREEN indicator as us-analyst over TAXII; returns its id.
let posted = 0;
async function postIndicator(base, creds, collection, name) {
  const user = creds.accounts.find((a) => a.username === "us-analyst");
  const id = `indicator--e2e00000-0000-4000-8000-${String(++posted).padStart(12, "0")}`;
  const now = new Date().toISOString();
  const body = JSON.stringify({
    objects: [
      {
        type: "indicator",
        spec_version: "2.1",
        id,
        created: now,
        modified: now,
        name,
        pattern: "[domain-name:value = 'e2e.example']",
        pattern_type: "stix",
        valid_from: now,
        created_by_ref: US_CENTRE,
        object_marking_refs: ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
      },
    ],
  });
  const r = await fetch(`${base}/kizuna/collections/${collection}/objects/`, {
    method: "POST",
    headers: {
      Authorization: "Basic " + Buffer.from(`${user.username}:${user.password}`).toString("base64"),
      "Content-Type": "application/taxii+json;version=2.1",
      Accept: "application/taxii+json;version=2.1",
    },
    body,
  });
  const text = await r.text();
  if (r.status !== 202 || !text.includes('"success_count":1'))
    throw new Error(`posting ${id}: ${r.status} ${text}`);
  return id;
}

async function coordination(base, creds, user, method, path, body) {
  const account = creds.accounts.find((a) => a.username === user);
  const r = await fetch(`${base}/coordination/v1/kizuna/${path}`, {
    method,
    headers: {
      Authorization: "Basic " + Buffer.from(`${account.username}:${account.password}`).toString("base64"),
      "Content-Type": "application/json",
      Accept: "application/json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

// A dashboard API read as `user` (Basic credentials).
async function uiApi(base, creds, user, path) {
  const account = creds.accounts.find((a) => a.username === user);
  const r = await fetch(`${base}${path}`, {
    headers: {
      Authorization: "Basic " + Buffer.from(`${account.username}:${account.password}`).toString("base64"),
    },
  });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

async function overviewOf(base, creds, user) {
  const account = creds.accounts.find((a) => a.username === user);
  const r = await fetch(`${base}/ui/api/overview?days=30`, {
    headers: {
      Authorization: "Basic " + Buffer.from(`${account.username}:${account.password}`).toString("base64"),
    },
  });
  if (r.status !== 200) throw new Error(`overview of ${user}: ${r.status}`);
  return r.json();
}

const titles = {
  en: {
    overview: "Overview",
    incidents: "Incidents",
    signIn: "Sign in",
    wrong: "Wrong username or password.",
  },
  ja: {
    overview: "概況",
    incidents: "インシデント",
    signIn: "サインイン",
    wrong: "ユーザー名またはパスワードが違います。",
  },
};

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), "kizuna-e2e-"));
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const { hub, base } = await startHub(dataDir);
  const creds = JSON.parse(readFileSync(join(dataDir, "demo-credentials.json"), "utf8"));
  const password = (user) => creds.accounts.find((a) => a.username === user).password;
  // A task on the demo incident (owned by the Japanese centre) for the US
  // centre, whose analyst reports on it from the dashboard.
  const incident = (await coordination(base, creds, "jp-analyst", "GET", "incidents")).incidents[0].id;
  const task = (
    await coordination(base, creds, "jp-analyst", "POST", `incidents/${incident}/tasks`, {
      assignee: "US National Cyber Operations Center",
      name: "Check US rail vendors for the RailGhost implant",
    })
  ).id;
  // The owner links the RailGhost malware to the incident: the incident view
  // lists it and leads to its page.
  const linkedMalware = (
    await uiApi(base, creds, "jp-analyst", "/ui/api/search?q=RailGhost&type=malware&days=3660")
  ).results[0].id;
  await coordination(base, creds, "jp-analyst", "POST", `incidents/${incident}/links`, {
    object_refs: [linkedMalware],
  });
  let railGhost = "";
  const browser = await chromium.launch({ executablePath: browserPath, args: ["--no-sandbox"] });
  try {
    for (const lang of ["en", "ja"]) {
      const context = await browser.newContext({ locale: lang === "ja" ? "ja-JP" : "en-US" });
      const page = await context.newPage();
      const cspViolations = [];
      page.on("console", (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
      });
      page.on("pageerror", (e) => cspViolations.push(`page error: ${e.message}`));
      await page.goto(`${base}/ui/?lang=${lang}`);
      await page.waitForSelector("input[name=username]");
      check((await page.getAttribute("html", "lang")) === lang, `${lang}: <html lang> follows ?lang=`);
      check(
        (await page.textContent("form h2")) === titles[lang].signIn,
        `${lang}: the sign-in form is in the language`,
      );
      check((await axeSerious(page)).length === 0, `${lang}: the sign-in page has no serious axe violation`);
      await page.screenshot({ path: join(artifacts, `login-${lang}.png`), fullPage: true });

      await page.fill("input[name=username]", "us-analyst");
      await page.fill("input[name=password]", "not-the-password");
      await page.click("button[type=submit]");
      await page.waitForFunction(() => document.querySelector("[role=alert]")?.textContent?.length > 0);
      check(
        (await page.textContent("[role=alert]")) === titles[lang].wrong,
        `${lang}: a wrong password is refused with the reason`,
      );

      await page.fill("input[name=password]", password("us-analyst"));
      await page.click("button[type=submit]");
      await page.waitForSelector("#overview-title");
      check(
        (await page.textContent("#overview-title")) === titles[lang].overview,
        `${lang}: signed in, the overview`,
      );
      await page.waitForSelector("[data-testid=open-incidents]");
      const open = Number(await page.textContent("[data-testid=open-incidents]"));
      check(open >= 1, `${lang}: the overview counts the open incidents us-analyst may see (${open})`);
      await page.waitForSelector("[data-testid=versions]");
      const shown = Number((await page.textContent("[data-testid=versions]")).replace(/[^0-9]/g, ""));
      const api = await overviewOf(base, creds, "us-analyst");
      check(
        shown === api.total && shown > 0,
        `${lang}: the overview's count is the hub's for us-analyst (${shown})`,
      );
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === "kizuna_session");
      check(
        session && session.httpOnly && session.sameSite === "Strict",
        `${lang}: the session cookie is HttpOnly and SameSite=Strict`,
      );
      check(
        (await page.evaluate(() => document.cookie)).indexOf("kizuna_session") < 0,
        `${lang}: script cannot read it`,
      );
      check((await axeSerious(page)).length === 0, `${lang}: the overview has no serious axe violation`);
      await page.screenshot({ path: join(artifacts, `overview-${lang}.png`), fullPage: true });

      // The overview's sectors, sightings and live counter.
      await page.waitForSelector("[data-testid=by-sector] tbody tr");
      check(
        (await page.locator("[data-testid=by-sector] tbody tr").count()) === api.by_sector.length,
        `${lang}: new intelligence by sector, one row per sector (${api.by_sector.length})`,
      );
      const top = await page
        .locator("[data-testid=top-sighted] li")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
      check(
        top.length > 0 && top.join() === api.top_sighted.map((x) => x.id).join(),
        `${lang}: the top sighted indicators are the hub's for us-analyst (${top.length})`,
      );
      await page.waitForSelector("[data-channels]:not([data-channels='0'])");
      const before = Number((await page.textContent("[data-testid=live-counter]")).replace(/[^0-9]/g, ""));
      await postIndicator(base, creds, "7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d01", `counter-${lang}`);
      await page.waitForFunction(
        (b) =>
          Number(document.querySelector("[data-testid=live-counter]").textContent.replace(/[^0-9]/g, "")) > b,
        before,
      );
      check(true, `${lang}: the live counter counts an object posted while the overview is open`);

      await page.click(`nav.views a[href*="incidents"]`);
      await page.waitForSelector("table.incidents tbody tr");
      check(
        (await page.textContent("#incidents-title")) === titles[lang].incidents,
        `${lang}: the incidents view`,
      );
      check(new URL(page.url()).pathname === "/ui/incidents", `${lang}: the view has its own address`);
      const rows = await page.locator("table.incidents tbody tr").count();
      check(rows >= 1, `${lang}: incidents listed (${rows})`);
      check(
        (await axeSerious(page)).length === 0,
        `${lang}: the incidents view has no serious axe violation`,
      );
      await page.screenshot({ path: join(artifacts, `incidents-${lang}.png`), fullPage: true });

      // The incident: its tasks; the assignee reports on its own from here.
      await page.click(`table.incidents a[href*="${incident}"]`);
      await page.waitForSelector(`table.tasks tr[data-id="${task}"]`);
      check(
        new URL(page.url()).pathname === `/ui/incidents/${incident}`,
        `${lang}: the incident has its own address`,
      );
      const progress = lang === "en" ? 40 : 70;
      await page.selectOption(`form[data-task="${task}"] select[name=outcome]`, "ongoing");
      await page.fill(`form[data-task="${task}"] input[name=progress]`, String(progress));
      await page.fill(`form[data-task="${task}"] input[name=note]`, `checked from the dashboard (${lang})`);
      await page.click(`form[data-task="${task}"] button[type=submit]`);
      await page.waitForFunction(
        ([id, p]) =>
          document.querySelector(`table.tasks tr[data-id="${id}"]`)?.textContent?.includes(`${p}%`),
        [task, progress],
      );
      const outcomeText = await page.textContent(`table.tasks tr[data-id="${task}"] [data-testid=outcome]`);
      check(
        outcomeText.startsWith(lang === "en" ? "Ongoing" : "実施中"),
        `${lang}: the task update is shown (${outcomeText})`,
      );
      const owners = await coordination(base, creds, "jp-analyst", "GET", `incidents/${incident}`);
      const seen = owners.tasks.find((x) => x.id === task);
      check(
        seen.outcome === "ongoing" &&
          seen.progress === progress &&
          seen.last_change.author.startsWith("us-analyst@"),
        `${lang}: the update from the dashboard reached the hub, attributed (${JSON.stringify(seen.last_change)})`,
      );
      check(
        (await page.locator(`[data-testid=linked] a[href*="${linkedMalware}"]`).count()) === 1,
        `${lang}: the incident lists its linked intelligence`,
      );
      check((await axeSerious(page)).length === 0, `${lang}: the incident view has no serious axe violation`);
      await page.screenshot({ path: join(artifacts, `incident-${lang}.png`), fullPage: true });

      // The language is remembered: a bare address opens in it.
      await page.goto(`${base}/ui/incidents`);
      await page.waitForSelector("#incidents-title");
      check((await page.getAttribute("html", "lang")) === lang, `${lang}: the choice is remembered`);

      // The live feed: an object posted while the page is open appears; one
      // posted while paused is held, then shown on resume.
      const energy = "7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d01";
      await page.goto(`${base}/ui/live?collection=${energy}`);
      await page.waitForSelector("[role=status][data-state=live]");
      const first = await postIndicator(base, creds, energy, `live-${lang}-1`);
      const sentAt = Date.now();
      await page.waitForSelector(`table.feed tr[data-id="${first}"]`, { timeout: 15_000 });
      check(
        true,
        `${lang}: the live feed shows an object posted during the test (${Date.now() - sentAt} ms)`,
      );
      await page.click("button.pause");
      const second = await postIndicator(base, creds, energy, `live-${lang}-2`);
      await page.waitForSelector("[role=status][data-held='1']");
      check(
        (await page.locator(`table.feed tr[data-id="${second}"]`).count()) === 0,
        `${lang}: paused, the new object is held, not shown`,
      );
      await page.click("button.pause");
      await page.waitForSelector(`table.feed tr[data-id="${second}"]`);
      check(true, `${lang}: resumed, the held object is shown`);
      // The sector filter: the objects posted above come from the US centre
      // (government); filtering by rail hides them, by government shows them.
      await page.selectOption("select[name=sector]", "rail");
      await page.waitForFunction((id) => !document.querySelector(`table.feed tr[data-id="${id}"]`), second);
      await page.selectOption("select[name=sector]", "government");
      await page.waitForSelector(`table.feed tr[data-id="${second}"]`);
      check(true, `${lang}: the live feed filters by the producer's sector`);
      await page.selectOption("select[name=sector]", "");
      check((await axeSerious(page)).length === 0, `${lang}: the live feed has no serious axe violation`);
      await page.screenshot({ path: join(artifacts, `live-${lang}.png`), fullPage: true });

      // The object explorer: search, an object with its relations and
      // versions, a translation added and shown, the original one click away.
      await page.click(`nav.views a[href*="explore"]`);
      await page.waitForSelector("#explore-title");
      await page.fill("input[name=q]", "RailGhost");
      await page.selectOption("select[name=type]", "malware");
      await page.click("form[role=search] button[type=submit]");
      await page.waitForFunction(() => new URL(window.location.href).searchParams.get("q") === "RailGhost");
      await page.waitForSelector("[data-testid=results] tbody tr");
      const found = await page
        .locator("[data-testid=results] tbody tr")
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
      check(
        found.length >= 1 && found.every((x) => x.startsWith("malware--")),
        `${lang}: the search finds the malware (${found.length})`,
      );
      check((await axeSerious(page)).length === 0, `${lang}: the explorer has no serious axe violation`);
      await page.screenshot({ path: join(artifacts, `explore-${lang}.png`), fullPage: true });
      await page.click(`[data-testid=results] tr[data-id="${found[0]}"] a`);
      await page.waitForSelector("[data-testid=related] tr");
      check(
        new URL(page.url()).pathname === `/ui/objects/${found[0]}`,
        `${lang}: the object has its own address`,
      );
      const relatedRows = await page.locator("[data-testid=related] tr").count();
      const graphNodes = await page.locator("[data-testid=graph] g[data-id]").count();
      check(
        relatedRows > 0 && graphNodes === Math.min(24, relatedRows),
        `${lang}: its relations are listed and drawn (${relatedRows}, ${graphNodes} drawn)`,
      );
      const translatedName = lang === "ja" ? "レールゴースト（e2e）" : "RailGhost (e2e, English)";
      if (lang === "ja") {
        await page.fill("[data-testid=translate] input[name=name]", translatedName);
        await page.click("[data-testid=translate] button[type=submit]");
        await page.waitForSelector("[data-testid=translation-status]");
        await page.waitForFunction(
          (n) => document.querySelector("[data-testid=object-name]")?.textContent === n,
          translatedName,
        );
        check(true, `${lang}: a translation posted from the page is shown in the reader's language`);
        await page.click("button.toggle-original");
        check(
          (await page.textContent("[data-testid=object-name]")) === "RailGhost",
          `${lang}: the original is one click away`,
        );
        await page.click("button.toggle-original");
      } else {
        check(
          (await page.textContent("[data-testid=object-name]")) === "RailGhost",
          `${lang}: in English, the original name`,
        );
      }
      const objectAxe = await axeSerious(page);
      check(
        objectAxe.length === 0,
        `${lang}: the object view has no serious axe violation ${objectAxe.join("; ")}`,
      );
      await page.screenshot({ path: join(artifacts, `object-${lang}.png`), fullPage: true });
      railGhost = found[0];

      // Sectors: the US 16 and Japan's 15 with the crosswalk and activity.
      await page.click(`nav.views a[href*="sectors"]`);
      await page.waitForSelector("[data-testid=crosswalk] tbody tr");
      const usRows = await page.locator("[data-testid=us-sectors] tbody tr").count();
      const jpRows = await page.locator("[data-testid=jp-sectors] tbody tr").count();
      check(
        usRows === 16 && jpRows === 15,
        `${lang}: the sectors view lists the US 16 and Japan's 15 (${usRows}, ${jpRows})`,
      );
      const railShown = Number((await page.textContent("[data-testid=intel-rail]")).replace(/[^0-9]/g, ""));
      const railApi = api.by_sector
        .filter((x) => x.sector === "rail")
        .reduce((n, x) => n + x.counts.reduce((a, b) => a + b, 0), 0);
      check(railShown === railApi && railApi > 0, `${lang}: rail's activity is the hub's (${railShown})`);
      check((await axeSerious(page)).length === 0, `${lang}: the sectors view has no serious axe violation`);
      await page.screenshot({ path: join(artifacts, `sectors-${lang}.png`), fullPage: true });

      // The briefing: the hub's page, framed, in the language, capped.
      await page.click(`nav.views a[href*="briefing"]`);
      await page.waitForSelector("#briefing-title");
      check(new URL(page.url()).pathname === "/ui/briefing", `${lang}: the briefing has its own address`);
      await page.selectOption("select[name=since]", "30d");
      await page.waitForFunction(() =>
        document.querySelector("[data-testid=briefing-frame]")?.getAttribute("src")?.includes("since=30d"),
      );
      const frameOf = async () => {
        const handle = await page.waitForSelector("[data-testid=briefing-frame]");
        const f = await handle.contentFrame();
        await f.waitForSelector("[data-figure=total]");
        return f;
      };
      let frame = await frameOf();
      check(
        (await frame.getAttribute("html", "lang")) === lang,
        `${lang}: the briefing's page is in the language`,
      );
      const greenText = await frame.textContent("body");
      check(
        !greenText.includes("TLP:AMBER") && !greenText.includes("TLP:RED"),
        `${lang}: the briefing capped at GREEN has nothing AMBER or RED`,
      );
      const greenTotal = Number((await frame.textContent("[data-figure=total] b")).replace(/[^0-9]/g, ""));
      await page.selectOption("select[name=max_tlp]", "red");
      await page.waitForFunction(() =>
        document.querySelector("[data-testid=briefing-frame]")?.getAttribute("src")?.includes("max_tlp=red"),
      );
      frame = await frameOf();
      const redTotal = Number((await frame.textContent("[data-figure=total] b")).replace(/[^0-9]/g, ""));
      check(
        redTotal > greenTotal && (await frame.textContent("body")).includes("TLP:AMBER"),
        `${lang}: raising the cap to RED shows more (${greenTotal} -> ${redTotal})`,
      );
      check((await axeSerious(page)).length === 0, `${lang}: the briefing view has no serious axe violation`);
      await page.screenshot({ path: join(artifacts, `briefing-${lang}.png`), fullPage: true });

      await page.click("button.sign-out");
      await page.waitForSelector("input[name=username]");
      check(true, `${lang}: signed out, back to the sign-in form`);
      const after = await page.evaluate(async () => (await fetch("/ui/api/session")).status);
      check(after === 401, `${lang}: the session is gone on the hub (${after})`);
      check(
        cspViolations.length === 0,
        `${lang}: no CSP violation or page error (${cspViolations.join("; ")})`,
      );
      await context.close();
    }

    // Policy through the UI: the researcher may see no incident.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/ui/?lang=en`);
    await page.fill("input[name=username]", "researcher");
    await page.fill("input[name=password]", password("researcher"));
    await page.click("button[type=submit]");
    await page.waitForSelector("[data-testid=open-incidents]");
    const theirs = Number(await page.textContent("[data-testid=open-incidents]"));
    check(theirs === 0, `researcher: the overview counts no incident it may not see (${theirs})`);
    await page.waitForSelector("[data-testid=versions]");
    const researcherShown = Number((await page.textContent("[data-testid=versions]")).replace(/[^0-9]/g, ""));
    const researcherApi = await overviewOf(base, creds, "researcher");
    const analystApi = await overviewOf(base, creds, "us-analyst");
    check(
      researcherShown === researcherApi.total && researcherShown < analystApi.total,
      `researcher: the overview counts only what it may see (${researcherShown} < ${analystApi.total})`,
    );
    check(
      !(await page.textContent("main")).includes("TLP:RED") &&
        !researcherApi.by_tlp.some((x) => x.tlp === "TLP:RED"),
      "researcher: no TLP:RED object in any aggregate (the demo's RED objects are for named analysts)",
    );
    check(
      researcherApi.top_sighted.length === 0 && researcherApi.sightings_by_sector.length === 0,
      "researcher: no sighting it may not see is counted or named",
    );
    // The explorer: the rail collection's malware is not there for the
    // researcher, by search or by its address (the 404 of a missing one).
    await page.goto(`${base}/ui/explore?lang=en&q=RailGhost`);
    await page.waitForSelector("#explore-title");
    await page.waitForSelector("[data-testid=results], .empty");
    check(
      (await page.locator(`[data-testid=results] tr[data-id="${railGhost}"]`).count()) === 0,
      "researcher: the search does not find what it may not see",
    );
    await page.goto(`${base}/ui/objects/${railGhost}?lang=en`);
    await page.waitForSelector("p.empty");
    check(
      !(await page.textContent("main")).includes("RailGhost"),
      "researcher: an object it may not see is reported missing, nothing of it shown",
    );
    await page.goto(`${base}/ui/incidents?lang=en`);
    await page.waitForSelector(".empty");
    check(true, "researcher: the incidents view lists none");
    // Sectors: only what the researcher may see (none of the energy sectors' activity).
    await page.goto(`${base}/ui/sectors?lang=en`);
    await page.waitForSelector("[data-testid=crosswalk] tbody tr");
    const researcherEnergy = Number(
      (await page.textContent("[data-testid=intel-energy-electric]")).replace(/[^0-9]/g, ""),
    );
    const analystEnergy = analystApi.by_sector
      .filter((x) => x.sector === "energy-electric")
      .reduce((n, x) => n + x.counts.reduce((a, b) => a + b, 0), 0);
    check(
      researcherEnergy === 0 && analystEnergy > 0,
      `researcher: the sectors view counts none of what it may not see (${researcherEnergy}, analyst ${analystEnergy})`,
    );
    // The briefing, even uncapped, has nothing the researcher may not see.
    await page.goto(`${base}/ui/briefing?lang=en&since=30d&max_tlp=red`);
    const handle = await page.waitForSelector("[data-testid=briefing-frame]");
    const frame = await handle.contentFrame();
    await frame.waitForSelector("[data-figure=total]");
    const researcherTotal = Number((await frame.textContent("[data-figure=total] b")).replace(/[^0-9]/g, ""));
    const body = await frame.textContent("body");
    // 30 days back from now touch 31 calendar days (UTC): the briefing's charts cover them all.
    const researcher31 = await uiApi(base, creds, "researcher", "/ui/api/overview?days=31");
    const redSeries = await frame.locator('[data-tlp-total="TLP:RED"]').count();
    const incidentRows = await frame.locator("tr[data-incident]").count();
    check(
      researcherTotal === researcher31.total &&
        redSeries === 0 &&
        incidentRows === 0 &&
        !body.includes("Signalling network intrusion"),
      `researcher: the briefing counts only what it may see (${researcherTotal} = ${researcher31.total}), no RED (${redSeries}), no incident it may not see (${incidentRows}, ${body.includes("Signalling network intrusion")})`,
    );
    await context.close();
  } finally {
    await browser.close();
    hub.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (failures > 0) {
    console.log(`${failures} check(s) failed`);
    process.exit(1);
  }
  console.log("e2e: all checks passed");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
