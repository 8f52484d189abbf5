import { useEffect, useState } from "preact/hooks";
import type { Api, SearchResults } from "../api";
import { formatTime, t, type Lang } from "../i18n";

// Types offered in the search form (any other can be typed in the address).
export const SEARCH_TYPES = [
  "indicator",
  "sighting",
  "observed-data",
  "malware",
  "threat-actor",
  "intrusion-set",
  "campaign",
  "attack-pattern",
  "report",
  "course-of-action",
  "incident",
  "relationship",
  "identity",
] as const;

export function tlpClass(tlp: string): string {
  return `tlp tlp-${tlp.replace("TLP:", "").toLowerCase().replace("+", "-")}`;
}

// Search by text, type or id over what the reader may see (the hub's
// /ui/api/search, through the decision point).
export function Explore(props: {
  api: Api;
  lang: Lang;
  q: string;
  type: string;
  onSearch: (q: string, type: string) => void;
  onOpen: (id: string) => void;
  onError: (e: unknown) => void;
}) {
  const { api, lang, q, type, onSearch, onOpen, onError } = props;
  const [text, setText] = useState(q);
  const [kind, setKind] = useState(type);
  const [results, setResults] = useState<SearchResults | null>(null);
  useEffect(() => {
    let live = true;
    setResults(null);
    const byId = /^[a-z0-9-]+--[0-9a-f-]{36}$/.test(q.trim());
    api.search(byId ? { id: q.trim() } : { q, type, days: 3660 }).then((r) => live && setResults(r), onError);
    return () => {
      live = false;
    };
  }, [api, q, type, onError]);
  return (
    <section aria-labelledby="explore-title">
      <h1 id="explore-title">{t(lang, "explore.title")}</h1>
      <form
        class="controls"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          onSearch(text, kind);
        }}
      >
        <label>
          {t(lang, "explore.text")}{" "}
          <input
            name="q"
            type="search"
            value={text}
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t(lang, "explore.type")}{" "}
          <select name="type" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
            <option value="">{t(lang, "live.any")}</option>
            {SEARCH_TYPES.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t(lang, "explore.search")}</button>
      </form>
      <p class="hint">{t(lang, "explore.hint")}</p>
      {results === null ? (
        <p>{t(lang, "common.loading")}</p>
      ) : results.results.length === 0 ? (
        <p class="empty">{t(lang, "explore.none")}</p>
      ) : (
        <table class="results" data-testid="results">
          <thead>
            <tr>
              <th scope="col">{t(lang, "explore.name")}</th>
              <th scope="col">{t(lang, "explore.type")}</th>
              <th scope="col">TLP</th>
              <th scope="col">{t(lang, "live.collection")}</th>
              <th scope="col">{t(lang, "incidents.modified")}</th>
            </tr>
          </thead>
          <tbody>
            {results.results.map((r) => (
              <tr key={`${r.collection}/${r.id}`} data-id={r.id}>
                <td>
                  <a
                    href={`/ui/objects/${encodeURIComponent(r.id)}?lang=${lang}`}
                    onClick={(e) => {
                      e.preventDefault();
                      onOpen(r.id);
                    }}
                  >
                    {r.name || r.id}
                  </a>
                </td>
                <td>{r.type}</td>
                <td class={tlpClass(r.tlp)}>{r.tlp}</td>
                <td>{r.collection_title}</td>
                <td>{r.modified ? formatTime(r.modified, lang) : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {results?.more && <p class="hint">{t(lang, "explore.more")}</p>}
    </section>
  );
}
