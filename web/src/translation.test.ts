import { describe, expect, it } from "vitest";
import type { ObjectDetail } from "./api";
import { buildTranslation, originalLang, translationFor } from "./translation";

const detail = (translations: ObjectDetail["translations"]): ObjectDetail => ({
  id: "malware--1",
  type: "malware",
  collection: "c1",
  tlp: "TLP:GREEN",
  object: { id: "malware--1", name: "RailGhost" },
  versions: [],
  translations,
  related: [],
});

describe("language-content", () => {
  it("shows the newest translation of each field in the reader's language", () => {
    const d = detail([
      {
        id: "language-content--a",
        lang: "ja",
        contents: { name: "古い名前", description: "説明" },
        modified: "2026-01-01T00:00:00.000Z",
        by: "",
      },
      {
        id: "language-content--b",
        lang: "ja",
        contents: { name: "レールゴースト" },
        modified: "2026-02-01T00:00:00.000Z",
        by: "",
      },
      {
        id: "language-content--c",
        lang: "fr",
        contents: { name: "Fantôme" },
        modified: "2026-03-01T00:00:00.000Z",
        by: "",
      },
    ]);
    expect(translationFor(d, "ja")).toEqual({ name: "レールゴースト", description: "説明" });
    expect(translationFor(d, "en")).toBeNull();
  });

  it("builds a translation marked as its object, without empty fields", () => {
    const object = {
      id: "malware--1",
      modified: "2026-08-22T17:38:40.886Z",
      object_marking_refs: ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
    };
    const lc = buildTranslation(
      object,
      "ja",
      { name: " レールゴースト ", description: "  " },
      new Date("2026-12-07T22:30:00Z"),
      "0e7d1d7a-3f44-4f0e-9d55-2a1c3f4b5d6e",
    );
    expect(lc).toEqual({
      type: "language-content",
      spec_version: "2.1",
      id: "language-content--0e7d1d7a-3f44-4f0e-9d55-2a1c3f4b5d6e",
      created: "2026-12-07T22:30:00.000Z",
      modified: "2026-12-07T22:30:00.000Z",
      object_ref: "malware--1",
      object_modified: "2026-08-22T17:38:40.886Z",
      contents: { ja: { name: "レールゴースト" } },
      object_marking_refs: ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
    });
    expect(buildTranslation(object, "ja", { name: "", description: " " }, new Date(), "x")).toBeNull();
  });

  it("never reaches anyone the original does not: its audience and every part's marking", () => {
    const AUDIENCE = "extension-definition--7a79d0e5-a2c1-4b04-870f-c5d9a7fed356";
    const GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
    const AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
    const audience = { extension_type: "property-extension", organizations: ["identity--b"] };
    const lc = buildTranslation(
      {
        id: "report--1",
        modified: "2026-12-01T00:00:00.000Z",
        object_marking_refs: [GREEN],
        granular_markings: [{ marking_ref: AMBER, selectors: ["description"] }],
        extensions: { [AUDIENCE]: audience, "extension-definition--other": { x: 1 } },
      },
      "ja",
      { name: "報告" },
      new Date("2026-12-07T00:00:00Z"),
      "u",
    );
    expect(lc?.object_marking_refs).toEqual([GREEN, AMBER]);
    expect(lc?.extensions).toEqual({ [AUDIENCE]: audience });
    expect(originalLang({})).toBe("en");
    expect(originalLang({ lang: "ja" })).toBe("ja");
  });
});
