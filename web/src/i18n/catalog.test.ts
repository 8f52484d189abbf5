import { describe, expect, it } from "vitest";
import { en } from "./en";
import { ja } from "./ja";
import { catalogue, formatTime, pickLang, placeholders, t } from "./index";

describe("message catalogues", () => {
  it("have the same keys in both languages", () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
  });
  it("have no empty message and the same placeholders in both languages", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(catalogue("en")[key].trim(), key).not.toBe("");
      expect(catalogue("ja")[key].trim(), key).not.toBe("");
      expect(placeholders(catalogue("ja")[key]), key).toEqual(placeholders(catalogue("en")[key]));
    }
  });
  it("say Japanese in Japanese (a message left in English is a missing translation)", () => {
    const sameOnPurpose = new Set(["lang.en", "lang.ja", "time.utc", "time.jst", "live.tlp"]);
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      if (sameOnPurpose.has(key)) continue;
      expect(catalogue("ja")[key], key).not.toBe(catalogue("en")[key]);
    }
  });
});

describe("t", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(t("en", "incidents.total", { count: 3 })).toBe("3 incidents");
    expect(t("ja", "incidents.total", { count: 3 })).toBe("インシデント 3 件");
    expect(t("en", "session.signedInAs")).toBe("Signed in as {user}");
  });
});

describe("pickLang", () => {
  it("prefers ?lang=, then the remembered choice, then the browser, then English", () => {
    expect(pickLang("?lang=ja", "en", ["en-US"])).toBe("ja");
    expect(pickLang("?lang=fr", "ja", ["en-US"])).toBe("ja");
    expect(pickLang("", null, ["fr-FR", "ja-JP"])).toBe("ja");
    expect(pickLang("", "xx", ["de"])).toBe("en");
  });
});

describe("formatTime", () => {
  it("shows UTC and JST together, the reader's first", () => {
    expect(formatTime("2026-12-07T10:05:00Z", "en")).toBe("2026-12-07 10:05 UTC (19:05 JST)");
    expect(formatTime("2026-12-07T20:30:00Z", "ja")).toBe("2026-12-08 05:30 JST（20:30 UTC）");
    expect(formatTime("not a time", "en")).toBe("not a time");
  });
});
