import { useEffect, useState } from "preact/hooks";
import type { Api, Crosswalk, OverviewCounts } from "../api";
import { formatNumber, t, type Lang } from "../i18n";
import { activityBy, total } from "../sectors";

// The US/JP/STIX sector crosswalk with what the reader may see of each
// sector over the last 30 days.
export function SectorsView(props: { api: Api; lang: Lang; onError: (e: unknown) => void }) {
  const { api, lang, onError } = props;
  const [crosswalk, setCrosswalk] = useState<Crosswalk | null>(null);
  const [counts, setCounts] = useState<OverviewCounts | null>(null);
  useEffect(() => {
    let live = true;
    api.sectors().then((c) => live && setCrosswalk(c), onError);
    api.overview(30).then((c) => live && setCounts(c), onError);
    return () => {
      live = false;
    };
  }, [api, onError]);
  if (!crosswalk || !counts) return <p>{t(lang, "common.loading")}</p>;
  const side = (which: "us" | "jp", title: string, testid: string) => (
    <div class="card wide">
      <h2>{title}</h2>
      <table class="small" data-testid={testid}>
        <thead>
          <tr>
            <th scope="col">{t(lang, "sector.sector")}</th>
            <th scope="col">{t(lang, "sectors.kizuna")}</th>
            <th scope="col">{t(lang, "sectors.intel")}</th>
            <th scope="col">{t(lang, "sectors.sightings")}</th>
          </tr>
        </thead>
        <tbody>
          {activityBy(which, crosswalk, counts.by_sector, counts.sightings_by_sector, lang).map((r) => (
            <tr key={r.name}>
              <th scope="row">{r.name}</th>
              <td>
                {r.codes
                  .map((c) => crosswalk.sectors.find((s) => s.code === c))
                  .map((s) => (s ? (lang === "ja" ? s.name_ja : s.name_en) : ""))
                  .join("、")}
              </td>
              <td>{formatNumber(r.intel, lang)}</td>
              <td>{formatNumber(r.sightings, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <section aria-labelledby="sectors-title">
      <h1 id="sectors-title">{t(lang, "sectors.title")}</h1>
      <p>{t(lang, "sectors.intro")}</p>
      <div class="cards">
        {side("us", t(lang, "sectors.us", { count: crosswalk.us.length }), "us-sectors")}
        {side("jp", t(lang, "sectors.jp", { count: crosswalk.jp.length }), "jp-sectors")}
        <div class="card wide">
          <h2>{t(lang, "sectors.crosswalk")}</h2>
          <table class="small" data-testid="crosswalk">
            <thead>
              <tr>
                <th scope="col">{t(lang, "sectors.kizuna")}</th>
                <th scope="col">{t(lang, "sector.us")}</th>
                <th scope="col">{t(lang, "sector.jp")}</th>
                <th scope="col">STIX</th>
                <th scope="col">{t(lang, "sectors.intel")}</th>
                <th scope="col">{t(lang, "sectors.sightings")}</th>
              </tr>
            </thead>
            <tbody>
              {crosswalk.sectors.map((s) => (
                <tr key={s.code} data-sector={s.code}>
                  <th scope="row">{lang === "ja" ? s.name_ja : s.name_en}</th>
                  <td>{s.us}</td>
                  <td>{lang === "ja" ? s.jp_ja : s.jp}</td>
                  <td>
                    <code>{s.stix.join(", ")}</code>
                  </td>
                  <td data-testid={`intel-${s.code}`}>
                    {formatNumber(total(counts.by_sector, s.code), lang)}
                  </td>
                  <td>{formatNumber(total(counts.sightings_by_sector, s.code), lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
