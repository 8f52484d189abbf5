import { useEffect, useState } from "preact/hooks";
import type { Api, FederationHealth } from "../api";
import type { MessageKey } from "../i18n/en";
import { formatNumber, formatTime, t, type Lang } from "../i18n";

// The federation's health: each peer hub, whether its links work, when
// this hub last heard from it and how long ago (refreshed every 10 s).
export function Federation(props: { api: Api; lang: Lang; onError: (e: unknown) => void }) {
  const { api, lang, onError } = props;
  const [health, setHealth] = useState<FederationHealth | null>(null);
  useEffect(() => {
    let live = true;
    const load = () => api.federation().then((h) => live && setHealth(h), onError);
    load();
    const timer = window.setInterval(load, 10_000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [api, onError]);
  return (
    <div class="card wide">
      <h2>{t(lang, "federation.title")}</h2>
      {health === null ? (
        <p>{t(lang, "common.loading")}</p>
      ) : health.peers.length === 0 ? (
        <p class="empty">{t(lang, "federation.none")}</p>
      ) : (
        <table class="small" data-testid="federation">
          <thead>
            <tr>
              <th scope="col">{t(lang, "federation.peer")}</th>
              <th scope="col">{t(lang, "federation.state")}</th>
              <th scope="col">{t(lang, "federation.lastSync")}</th>
              <th scope="col">{t(lang, "federation.lag")}</th>
              <th scope="col">{t(lang, "federation.channels")}</th>
            </tr>
          </thead>
          <tbody>
            {health.peers.map((p) => (
              <tr key={p.peer} data-peer={p.peer} data-state={p.state}>
                <th scope="row">{p.peer}</th>
                <td class={`state-${p.state}`}>
                  {t(lang, `federation.${p.state}` as MessageKey)}
                  {p.error ? ` — ${p.error}` : ""}
                </td>
                <td>{p.last_sync ? formatTime(p.last_sync, lang) : "—"}</td>
                <td>
                  {p.lag_s === null ? "—" : t(lang, "federation.seconds", { n: formatNumber(p.lag_s, lang) })}
                </td>
                <td>{formatNumber(p.channels_open, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
