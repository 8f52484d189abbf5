import { useCallback, useEffect, useState } from "preact/hooks";
import type { Api, Collection, ObjectDetail, Related } from "../api";
import { formatTime, t, type Lang } from "../i18n";
import {
  buildTranslation,
  originalLang,
  translationFor,
  TRANSLATED_FIELDS,
  type Texts,
} from "../translation";
import { tlpClass } from "./Explore";

const TYPE_COLOURS: Record<string, string> = {
  indicator: "#0b5cab",
  sighting: "#b35c00",
  "observed-data": "#6b4fbb",
  malware: "#c0141b",
  "threat-actor": "#7a1c1c",
  "intrusion-set": "#7a1c1c",
  campaign: "#a23b72",
  "attack-pattern": "#2e8540",
  incident: "#d98c00",
  report: "#4b5563",
  identity: "#1b1f24",
};

// The object and what it is related to, drawn around it (at most 24; all
// are listed below the drawing).
function Graph(props: { detail: ObjectDetail; label: string; lang: Lang; onOpen: (id: string) => void }) {
  const { detail, onOpen, lang } = props;
  // Rare kinds first (a threat actor among forty indicators is drawn).
  const kinds = new Map<string, number>();
  for (const r of detail.related) kinds.set(r.type, (kinds.get(r.type) ?? 0) + 1);
  const shown = [...detail.related]
    .sort((a, b) => (kinds.get(a.type) ?? 0) - (kinds.get(b.type) ?? 0))
    .slice(0, 24);
  const size = 520;
  const c = size / 2;
  const r = 190;
  const name = (x: { name: string; id: string }) => (x.name || x.id).slice(0, 28);
  return (
    <svg
      viewBox={`0 0 ${size} ${size}`}
      role="group"
      aria-label={props.label}
      class="graph"
      data-testid="graph"
    >
      {shown.map((n, i) => {
        const a = (2 * Math.PI * i) / Math.max(1, shown.length);
        const x = c + r * Math.cos(a);
        const y = c + r * Math.sin(a);
        return (
          <g key={n.id} data-id={n.id}>
            <line x1={c} y1={c} x2={x} y2={y} stroke="#9ca3af" />
            <text x={(c + x) / 2} y={(c + y) / 2} font-size="9" fill="#4b5563" text-anchor="middle">
              {n.via}
            </text>
            <a
              href={`/ui/objects/${encodeURIComponent(n.id)}?lang=${lang}`}
              onClick={(e) => {
                e.preventDefault();
                onOpen(n.id);
              }}
            >
              <circle cx={x} cy={y} r={9} fill={TYPE_COLOURS[n.type] ?? "#6b7280"} />
              <text x={x} y={y + 20} font-size="10" text-anchor="middle">
                {name(n)}
              </text>
            </a>
          </g>
        );
      })}
      <circle cx={c} cy={c} r={14} fill={TYPE_COLOURS[detail.type] ?? "#6b7280"} />
    </svg>
  );
}

function str(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  return typeof v === "string" ? v : "";
}

// An object as the reader may see it: in the reader's language when a
// translation exists (the original one click away), its versions, what it
// is related to, and a form to add a translation.
export function ObjectView(props: {
  api: Api;
  root: string;
  lang: Lang;
  id: string;
  onOpen: (id: string) => void;
  onError: (e: unknown) => void;
}) {
  const { api, root, lang, id, onOpen, onError } = props;
  const [detail, setDetail] = useState<ObjectDetail | null>(null);
  const [missing, setMissing] = useState(false);
  const [original, setOriginal] = useState(false);
  const [writable, setWritable] = useState<Collection[]>([]);
  const [sent, setSent] = useState("");
  const [into, setInto] = useState<string>("");
  const load = useCallback(() => {
    api.object(id).then(setDetail, (e: unknown) => {
      if ((e as { status?: number }).status === 404) setMissing(true);
      else onError(e);
    });
  }, [api, id, onError]);
  useEffect(() => {
    setDetail(null);
    setMissing(false);
    setOriginal(false);
    setSent("");
    load();
    api.collections(root).then((cs) => setWritable(cs.filter((c) => c.can_write)), onError);
  }, [api, root, load, onError]);

  if (missing) return <p class="empty">{t(lang, "object.missing")}</p>;
  if (detail === null) return <p>{t(lang, "common.loading")}</p>;
  const o = detail.object;
  const translated = originalLang(o) === lang ? null : translationFor(detail, lang);
  const text = (field: "name" | "description") =>
    !original && translated?.[field] ? translated[field] : str(o, field);
  const canTranslate = writable.some((c) => c.id === detail.collection);
  const target = lang === "ja" ? "ja" : originalLang(o) === "en" ? "ja" : "en";

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const texts: Texts = {};
    for (const f of TRANSLATED_FIELDS) texts[f] = String(form.get(f) ?? "");
    const lc = buildTranslation(o, into || target, texts, new Date(), crypto.randomUUID());
    if (!lc) return;
    try {
      const r = await api.postObjects(root, detail.collection, [lc]);
      setSent(r.failure_count === 0 ? t(lang, "object.translationSent") : (r.failures?.[0]?.message ?? ""));
      load();
    } catch (err) {
      onError(err);
    }
  };

  const labelOf = (r: Related) => `${r.name || r.id}`;
  return (
    <article aria-labelledby="object-title" class="object">
      <p class="kind">
        <code>{detail.type}</code> <span class={tlpClass(detail.tlp)}>{detail.tlp}</span>
      </p>
      <h1 id="object-title" data-testid="object-name" lang={translated && !original ? lang : originalLang(o)}>
        {text("name") || str(o, "value") || detail.id}
      </h1>
      {translated && (
        <p class="translated">
          {original ? t(lang, "object.showingOriginal") : t(lang, "object.showingTranslation")}{" "}
          <button type="button" class="toggle-original" onClick={() => setOriginal(!original)}>
            {original ? t(lang, "object.showTranslation") : t(lang, "object.showOriginal")}
          </button>
        </p>
      )}
      {text("description") && <p class="description">{text("description")}</p>}
      <dl class="facts">
        <dt>ID</dt>
        <dd>
          <code>{detail.id}</code>
        </dd>
        {str(o, "pattern") && (
          <>
            <dt>{t(lang, "object.pattern")}</dt>
            <dd>
              <code>{str(o, "pattern")}</code>
            </dd>
          </>
        )}
        <dt>{t(lang, "incidents.modified")}</dt>
        <dd>{formatTime(str(o, "modified"), lang)}</dd>
      </dl>

      <h2>{t(lang, "object.related", { count: detail.related.length })}</h2>
      {detail.related.length === 0 ? (
        <p class="empty">{t(lang, "object.noRelated")}</p>
      ) : (
        <>
          <Graph detail={detail} lang={lang} onOpen={onOpen} label={t(lang, "object.graph")} />
          <table class="small related" data-testid="related">
            <tbody>
              {detail.related.map((r) => (
                <tr key={r.id} data-id={r.id}>
                  <td>{r.direction === "out" ? "→" : "←"}</td>
                  <td>{r.via}</td>
                  <td>
                    <code>{r.type}</code>
                  </td>
                  <td>
                    <a
                      href={`/ui/objects/${encodeURIComponent(r.id)}?lang=${lang}`}
                      onClick={(e) => {
                        e.preventDefault();
                        onOpen(r.id);
                      }}
                    >
                      {labelOf(r)}
                    </a>
                  </td>
                  <td class={tlpClass(r.tlp)}>{r.tlp}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <h2>{t(lang, "object.versions", { count: detail.versions.length })}</h2>
      <table class="small versions" data-testid="versions">
        <tbody>
          {detail.versions.map((v) => (
            <tr key={`${v.collection}/${v.modified}`}>
              <td>{formatTime(v.modified, lang)}</td>
              <td class={tlpClass(v.tlp)}>{v.tlp}</td>
              <td>
                <code>{v.collection}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {canTranslate && (
        <form class="translate" data-testid="translate" onSubmit={submit}>
          <h2>{t(lang, "object.addTranslation")}</h2>
          <label>
            {t(lang, "lang.switch")}{" "}
            <select
              name="lang"
              value={into || target}
              onChange={(e) => setInto((e.target as HTMLSelectElement).value)}
            >
              <option value="ja">日本語</option>
              <option value="en">English</option>
            </select>
          </label>
          <label>
            {t(lang, "explore.name")} <input name="name" defaultValue={translated?.name ?? ""} />
          </label>
          <label>
            {t(lang, "object.description")}{" "}
            <textarea name="description" rows={3} defaultValue={translated?.description ?? ""} />
          </label>
          <button type="submit">{t(lang, "object.sendTranslation")}</button>
          {sent && (
            <p role="status" data-testid="translation-status">
              {sent}
            </p>
          )}
        </form>
      )}
    </article>
  );
}
