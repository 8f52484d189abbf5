import { useEffect, useState } from "preact/hooks";
import type { Api, IncidentList, OverviewCounts } from "../api";
import type { MessageKey } from "../i18n/en";
import { StackedBars } from "./Chart";
import { Federation } from "./Federation";
import { LiveCounter } from "./LiveCounter";
import { HeatMap, SectorTable } from "./Sectors";
import { formatNumber, t, type Lang } from "../i18n";
import { priorityLabel } from "./Incidents";

// Lowest first (each "at least" total includes the ones above it).
const LEVELS = ["baseline", "low", "medium", "high", "severe", "emergency"] as const;

// The picture at a glance, from what the reader may see (the hub counts
// only that): open incidents and how they rank.
export function Overview(props: { api: Api; root: string; lang: Lang; onError: (e: unknown) => void }) {
  const { api, root, lang, onError } = props;
  const [open, setOpen] = useState<IncidentList | null>(null);
  const [byLevel, setByLevel] = useState<Map<string, number>>(new Map());
  const [counts, setCounts] = useState<OverviewCounts | null>(null);

  useEffect(() => {
    let live = true;
    api.incidents(root, "open", { limit: "1" }).then((l) => live && setOpen(l), onError);
    api.openByPriority(root, LEVELS).then((m) => live && setByLevel(m), onError);
    api.overview(30).then((c) => live && setCounts(c), onError);
    return () => {
      live = false;
    };
  }, [api, root, onError]);

  const most = Math.max(1, ...byLevel.values());

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{t(lang, "overview.title")}</h1>
      {open === null ? (
        <p>{t(lang, "common.loading")}</p>
      ) : (
        <div class="cards">
          <div class="card">
            <h2>{t(lang, "overview.openIncidents")}</h2>
            <p class="big" data-testid="open-incidents">
              {formatNumber(open.total, lang)}
            </p>
          </div>
          <div class="card">
            <h2>{t(lang, "overview.incidentsByPriority")}</h2>
            <dl class="bars">
              {[...LEVELS]
                .reverse()
                .filter((l) => (byLevel.get(l) ?? 0) > 0)
                .map((l) => (
                  <div class="bar-row">
                    <dt>{priorityLabel(lang, l)}</dt>
                    <dd>
                      <meter
                        min={0}
                        max={most}
                        value={byLevel.get(l) ?? 0}
                        aria-label={priorityLabel(lang, l)}
                      />{" "}
                      {byLevel.get(l)}
                    </dd>
                  </div>
                ))}
            </dl>
          </div>
        </div>
      )}
      {counts && <Intelligence counts={counts} lang={lang} />}
      {counts && (
        <div class="cards">
          <div class="card wide">
            <h2>{t(lang, "overview.sightingsHeat", { days: counts.days.length })}</h2>
            <HeatMap
              lang={lang}
              days={counts.days}
              rows={counts.sightings_by_sector}
              title={t(lang, "overview.sightingsHeat", { days: counts.days.length })}
            />
          </div>
          <div class="card">
            <h2>{t(lang, "overview.topSighted")}</h2>
            {counts.top_sighted.length === 0 ? (
              <p class="empty">{t(lang, "overview.noSightings")}</p>
            ) : (
              <ol class="top-sighted" data-testid="top-sighted">
                {counts.top_sighted.map((x) => (
                  <li key={x.id} data-id={x.id}>
                    <span class="name">{x.name || x.id}</span>{" "}
                    <span class="count">
                      {t(lang, "overview.sightings", { count: formatNumber(x.sightings, lang) })}
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </div>
          <LiveCounter api={api} root={root} lang={lang} onError={onError} />
          <Federation api={api} lang={lang} onError={onError} />
          <div class="card wide">
            <h2>{t(lang, "overview.bySector")}</h2>
            <SectorTable lang={lang} rows={counts.by_sector} />
          </div>
        </div>
      )}
    </section>
  );
}

const TLP_ORDER = ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"];

function nationLabel(lang: Lang, nation: string): string {
  return nation === "US" || nation === "JP"
    ? t(lang, `nation.${nation}` as MessageKey)
    : t(lang, "nation.other");
}

// New intelligence the reader may see: per day by TLP, by nation, by type
// (the hub's counts, decided for this reader: docs/ui.md).
function Intelligence(props: { counts: OverviewCounts; lang: Lang }) {
  const { counts, lang } = props;
  const tlps = [...counts.by_tlp].sort((a, b) => TLP_ORDER.indexOf(a.tlp) - TLP_ORDER.indexOf(b.tlp));
  const title = t(lang, "overview.newIntel", { days: counts.days.length });
  return (
    <div class="cards intel">
      <div class="card wide">
        <h2>{title}</h2>
        <p data-testid="versions">
          {t(lang, "overview.versions", { count: formatNumber(counts.total, lang) })}
        </p>
        <StackedBars
          days={counts.days}
          series={tlps.map((s) => ({ name: s.tlp, label: s.tlp, counts: s.counts }))}
          title={title}
          dayLabel={t(lang, "overview.day")}
          tableLabel={t(lang, "overview.chartData")}
        />
      </div>
      <div class="card">
        <h2>{t(lang, "overview.byNation")}</h2>
        <table class="small">
          <tbody>
            {counts.by_nation.map((n) => (
              <tr key={n.nation}>
                <th scope="row">{nationLabel(lang, n.nation)}</th>
                <td>
                  {formatNumber(
                    n.counts.reduce((a, b) => a + b, 0),
                    lang,
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="card">
        <h2>{t(lang, "overview.byType")}</h2>
        <table class="small">
          <tbody>
            {counts.by_type.slice(0, 10).map((x) => (
              <tr key={x.type}>
                <th scope="row">{x.type}</th>
                <td>{formatNumber(x.count, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
