import { useEffect, useState } from "preact/hooks";
import type { Api, IncidentList } from "../api";
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

  useEffect(() => {
    let live = true;
    api.incidents(root, "open", { limit: "1" }).then((l) => live && setOpen(l), onError);
    api.openByPriority(root, LEVELS).then((m) => live && setByLevel(m), onError);
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
    </section>
  );
}
