import type { SectorSeries } from "../api";
import { formatNumber, t, type Lang } from "../i18n";

export function sectorName(lang: Lang, s: SectorSeries): string {
  if (!s.sector) return t(lang, "sector.none");
  return (lang === "ja" ? s.name_ja : s.name_en) || s.sector;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

// New intelligence by the producer's sector, with the US/JP crosswalk.
export function SectorTable(props: { lang: Lang; rows: SectorSeries[] }) {
  const { lang } = props;
  const rows = [...props.rows].sort((a, b) => sum(b.counts) - sum(a.counts));
  return (
    <table class="small sectors" data-testid="by-sector">
      <thead>
        <tr>
          <th scope="col">{t(lang, "sector.sector")}</th>
          <th scope="col">{t(lang, "sector.us")}</th>
          <th scope="col">{t(lang, "sector.jp")}</th>
          <th scope="col">{t(lang, "overview.count")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.sector} data-sector={r.sector}>
            <th scope="row">{sectorName(lang, r)}</th>
            <td>{r.us ?? ""}</td>
            <td>{(lang === "ja" ? r.jp_ja : r.jp) ?? ""}</td>
            <td>{formatNumber(sum(r.counts), lang)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Sightings by sector and day: a heat map in SVG (shades by count, no
// inline style), with every number in a table for screen readers.
export function HeatMap(props: { lang: Lang; days: string[]; rows: SectorSeries[]; title: string }) {
  const { lang, days, rows } = props;
  if (rows.length === 0) return <p class="empty">{t(lang, "overview.noSightings")}</p>;
  const max = Math.max(1, ...rows.flatMap((r) => r.counts));
  const label = 150;
  const cell = Math.max(4, Math.floor(450 / Math.max(1, days.length)));
  const width = label + cell * days.length;
  const height = 18 * rows.length + 16;
  return (
    <figure class="chart heatmap">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.title}>
        {rows.map((r, y) => (
          <g key={r.sector}>
            <text x={0} y={18 * y + 12} font-size="11">
              {sectorName(lang, r)}
            </text>
            {days.map((d, x) => {
              const n = r.counts[x] ?? 0;
              return (
                <rect
                  key={d}
                  x={label + x * cell}
                  y={18 * y}
                  width={cell - 1}
                  height={16}
                  fill={n === 0 ? "#eef1f5" : "#0b5cab"}
                  fill-opacity={n === 0 ? 1 : 0.2 + (0.8 * n) / max}
                >
                  <title>{`${sectorName(lang, r)} ${d}: ${n}`}</title>
                </rect>
              );
            })}
          </g>
        ))}
        <text x={label} y={height - 2} font-size="10">
          {days[0]}
        </text>
        <text x={width} y={height - 2} font-size="10" text-anchor="end">
          {days[days.length - 1]}
        </text>
      </svg>
      <details>
        <summary>{t(lang, "overview.chartData")}</summary>
        <table class="small">
          <thead>
            <tr>
              <th scope="col">{t(lang, "sector.sector")}</th>
              <th scope="col">{t(lang, "overview.count")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.sector}>
                <th scope="row">{sectorName(lang, r)}</th>
                <td data-testid={`sightings-${r.sector || "none"}`}>{formatNumber(sum(r.counts), lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
