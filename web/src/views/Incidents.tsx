import { useEffect, useState } from "preact/hooks";
import type { Api, IncidentList } from "../api";
import { formatTime, t, type Lang } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { hrefFor } from "../router";

export function statusLabel(lang: Lang, status: string): string {
  return ["new", "open", "closed"].includes(status) ? t(lang, `status.${status}` as MessageKey) : status;
}

export function priorityLabel(lang: Lang, level: string): string {
  const known = ["baseline", "low", "medium", "high", "severe", "emergency"];
  return known.includes(level) ? t(lang, `priority.${level}` as MessageKey) : level;
}

export function Incidents(props: {
  api: Api;
  root: string;
  lang: Lang;
  status: string;
  onStatus: (s: string) => void;
  onOpen: (id: string) => void;
  onError: (e: unknown) => void;
}) {
  const { api, root, lang, status, onError } = props;
  const [list, setList] = useState<IncidentList | null>(null);

  useEffect(() => {
    let live = true;
    setList(null);
    api.incidents(root, status || undefined).then((l) => live && setList(l), onError);
    return () => {
      live = false;
    };
  }, [api, root, status, onError]);

  return (
    <section aria-labelledby="incidents-title">
      <h1 id="incidents-title">{t(lang, "incidents.title")}</h1>
      <label class="filter">
        {t(lang, "incidents.filterStatus")}
        <select
          name="status"
          value={status}
          onChange={(e) => props.onStatus((e.target as HTMLSelectElement).value)}
        >
          <option value="">{t(lang, "incidents.all")}</option>
          {["new", "open", "closed"].map((s) => (
            <option value={s}>{statusLabel(lang, s)}</option>
          ))}
        </select>
      </label>
      {list === null ? (
        <p>{t(lang, "common.loading")}</p>
      ) : list.incidents.length === 0 ? (
        <p class="empty">{t(lang, "incidents.empty")}</p>
      ) : (
        <>
          <p class="total">{t(lang, "incidents.total", { count: list.total })}</p>
          <table class="incidents">
            <thead>
              <tr>
                <th scope="col">{t(lang, "incidents.name")}</th>
                <th scope="col">{t(lang, "incidents.status")}</th>
                <th scope="col">{t(lang, "incidents.priority")}</th>
                <th scope="col">{t(lang, "incidents.owner")}</th>
                <th scope="col">{t(lang, "incidents.modified")}</th>
              </tr>
            </thead>
            <tbody>
              {list.incidents.map((i) => (
                <tr key={i.id} data-id={i.id}>
                  <td>
                    <a
                      href={hrefFor({ view: "incident", id: i.id }, lang)}
                      onClick={(e) => {
                        e.preventDefault();
                        props.onOpen(i.id);
                      }}
                    >
                      {i.name}
                    </a>
                  </td>
                  <td>{statusLabel(lang, i.status)}</td>
                  <td class={`priority priority-${i.priority.level}`}>
                    {priorityLabel(lang, i.priority.level)} ({i.priority.score})
                  </td>
                  <td>{i.owner.name ?? i.owner.id}</td>
                  <td>{formatTime(i.modified, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
