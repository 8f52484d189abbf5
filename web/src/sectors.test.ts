import { describe, expect, it } from "vitest";
import type { Crosswalk } from "./api";
import { activityBy } from "./sectors";

const crosswalk: Crosswalk = {
  sectors: [
    {
      code: "energy-electric",
      name_en: "Electric power",
      name_ja: "電力",
      us: "Energy",
      jp: "Electricity",
      jp_ja: "電力",
      stix: [],
    },
    { code: "energy-gas", name_en: "Gas", name_ja: "ガス", us: "Energy", jp: "Gas", jp_ja: "ガス", stix: [] },
    {
      code: "rail",
      name_en: "Rail",
      name_ja: "鉄道",
      us: "Transportation Systems",
      jp: "Railway",
      jp_ja: "鉄道",
      stix: [],
    },
  ],
  us: ["Energy", "Transportation Systems", "Water and Wastewater Systems"],
  jp: [
    { en: "Electricity", ja: "電力" },
    { en: "Gas", ja: "ガス" },
    { en: "Railway", ja: "鉄道" },
  ],
  organizations: [],
};

describe("the sector crosswalk with activity", () => {
  it("gives every national sector its Kizuna sectors and their counts, never summing one organization twice", () => {
    const intel = [
      { sector: "energy-electric", counts: [2, 3] },
      { sector: "energy-gas", counts: [4, 0] },
      { sector: "rail", counts: [1, 1] },
    ];
    const sightings = [{ sector: "rail", counts: [0, 7] }];
    expect(activityBy("us", crosswalk, intel, sightings, "en")).toEqual([
      { name: "Energy", codes: ["energy-electric", "energy-gas"], intel: 5, sightings: 0 },
      { name: "Transportation Systems", codes: ["rail"], intel: 2, sightings: 7 },
      { name: "Water and Wastewater Systems", codes: [], intel: 0, sightings: 0 },
    ]);
    expect(activityBy("jp", crosswalk, intel, sightings, "ja").map((r) => [r.name, r.intel])).toEqual([
      ["電力", 5],
      ["ガス", 4],
      ["鉄道", 2],
    ]);
  });
});
