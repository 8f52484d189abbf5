// The sector crosswalk with activity: for each US and Japanese critical
// infrastructure sector, the Kizuna sectors that map to it and what the
// reader may see of them (new intelligence and sightings over the period).
import type { Crosswalk, SectorSeries } from "./api";

export interface SectorActivity {
  name: string; // the national sector's name (Japanese sectors: in the reader's language)
  codes: string[]; // Kizuna sectors mapped to it
  intel: number;
  sightings: number;
}

// What a Kizuna sector's rows add up to over the period.
export const total = (rows: SectorSeries[], code: string) =>
  rows.filter((r) => r.sector === code).reduce((n, r) => n + r.counts.reduce((a, b) => a + b, 0), 0);

export function activityBy(
  side: "us" | "jp",
  crosswalk: Crosswalk,
  intel: SectorSeries[],
  sightings: SectorSeries[],
  lang: string,
): SectorActivity[] {
  const names =
    side === "us"
      ? crosswalk.us.map((n) => ({ key: n, name: n }))
      : crosswalk.jp.map((j) => ({ key: j.en, name: lang === "ja" ? j.ja : j.en }));
  return names.map(({ key, name }) => {
    const codes = crosswalk.sectors.filter((s) => (side === "us" ? s.us : s.jp) === key).map((s) => s.code);
    // An organization in two Kizuna sectors of one national sector counts in
    // each of them: the national figure is the largest of its parts, never
    // their sum, so that nothing is counted twice.
    const max = (rows: SectorSeries[]) => Math.max(0, ...codes.map((c) => total(rows, c)));
    return { name, codes, intel: max(intel), sightings: max(sightings) };
  });
}
