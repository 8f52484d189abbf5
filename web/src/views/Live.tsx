import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Api, Collection, Crosswalk } from "../api";
import { formatNumber, formatTime, t, type Lang } from "../i18n";
import { LiveFeed, type Filter, type StixObject } from "../live";

const TYPES = ["indicator", "sighting", "observed-data", "report", "threat-actor", "incident", "note"];
const TLPS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"];

function label(o: StixObject): string {
  return typeof o.name === "string" && o.name ? o.name : o.id;
}

// A collection's channel (Server-Sent Events, with the session cookie): the
// objects the reader may see, as the hub stores them.
export function Live(props: {
  api: Api;
  root: string;
  lang: Lang;
  collection: string;
  onCollection: (id: string) => void;
  onError: (e: unknown) => void;
}) {
  const { api, root, lang, onError } = props;
  const [collections, setCollections] = useState<Collection[] | null>(null);
  const [filter, setFilter] = useState<Filter>({ type: "", tlp: "", sector: "" });
  const [crosswalk, setCrosswalk] = useState<Crosswalk | null>(null);
  const [state, setState] = useState<{
    kind: "connecting" | "live" | "reconnecting" | "ended";
    reason?: string;
  }>({
    kind: "connecting",
  });
  const [, setVersion] = useState(0);
  const frame = useRef<number | null>(null);

  useEffect(() => {
    let live = true;
    api.collections(root).then((c) => live && setCollections(c.filter((x) => x.can_read)), onError);
    api.sectors().then((c) => live && setCrosswalk(c), onError);
    return () => {
      live = false;
    };
  }, [api, root, onError]);

  const chosen = props.collection || collections?.[0]?.id || "";
  const feed = useMemo(() => new LiveFeed(), [chosen]);
  feed.directory = useMemo(
    () => new Map((crosswalk?.organizations ?? []).map((o) => [o.id, o.sectors] as const)),
    [crosswalk],
  );
  // The sectors some organization is in, in the crosswalk's order.
  const sectors = (crosswalk?.sectors ?? []).filter((s) =>
    (crosswalk?.organizations ?? []).some((o) => o.sectors.includes(s.code)),
  );

  useEffect(() => {
    if (!chosen) return;
    setState({ kind: "connecting" });
    const source = new EventSource(
      `/${encodeURIComponent(root)}/collections/${encodeURIComponent(chosen)}/stream`,
    );
    // One render per frame however fast objects arrive.
    const redraw = () => {
      if (frame.current === null) {
        frame.current = requestAnimationFrame(() => {
          frame.current = null;
          setVersion((v) => v + 1);
        });
      }
    };
    source.addEventListener("open", () => setState({ kind: "live" }));
    source.addEventListener("objects", (e) => {
      try {
        const d = JSON.parse((e as MessageEvent<string>).data) as { id?: string; objects?: StixObject[] };
        feed.add(d.id ?? "", d.objects ?? []);
        redraw();
      } catch {
        // a malformed event: skipped
      }
    });
    source.addEventListener("end", (e) => {
      let reason = "";
      try {
        reason = (JSON.parse((e as MessageEvent<string>).data) as { reason?: string }).reason ?? "";
      } catch {
        // no reason given
      }
      setState({ kind: "ended", reason });
      source.close();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setState({ kind: "ended", reason: "" });
      else setState({ kind: "reconnecting" });
    };
    return () => {
      source.close();
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    };
  }, [root, chosen, feed]);

  if (collections === null) return <p>{t(lang, "common.loading")}</p>;
  if (collections.length === 0) return <p>{t(lang, "live.noCollection")}</p>;
  const items = feed.items(filter);

  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title">{t(lang, "live.title")}</h1>
      <div class="controls">
        <label>
          {t(lang, "live.collection")}
          <select
            name="collection"
            value={chosen}
            onChange={(e) => props.onCollection((e.target as HTMLSelectElement).value)}
          >
            {collections.map((c) => (
              <option value={c.id}>{c.title}</option>
            ))}
          </select>
        </label>
        <label>
          {t(lang, "live.type")}
          <select
            name="type"
            value={filter.type}
            onChange={(e) => setFilter({ ...filter, type: (e.target as HTMLSelectElement).value })}
          >
            <option value="">{t(lang, "live.any")}</option>
            {TYPES.map((x) => (
              <option value={x}>{x}</option>
            ))}
          </select>
        </label>
        <label>
          {t(lang, "live.tlp")}
          <select
            name="tlp"
            value={filter.tlp}
            onChange={(e) => setFilter({ ...filter, tlp: (e.target as HTMLSelectElement).value })}
          >
            <option value="">{t(lang, "live.any")}</option>
            {TLPS.map((x) => (
              <option value={x}>TLP:{x}</option>
            ))}
          </select>
        </label>
        <label>
          {t(lang, "sector.sector")}
          <select
            name="sector"
            value={filter.sector}
            onChange={(e) => setFilter({ ...filter, sector: (e.target as HTMLSelectElement).value })}
          >
            <option value="">{t(lang, "live.any")}</option>
            {sectors.map((s) => (
              <option key={s.code} value={s.code}>
                {lang === "ja" ? s.name_ja : s.name_en}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          class="pause"
          aria-pressed={feed.isPaused()}
          onClick={() => {
            if (feed.isPaused()) feed.resume();
            else feed.pause();
            setVersion((v) => v + 1);
          }}
        >
          {feed.isPaused() ? t(lang, "live.resume") : t(lang, "live.pause")}
        </button>
      </div>
      <p
        class="status"
        role="status"
        data-state={state.kind}
        data-received={feed.received}
        data-held={feed.heldCount()}
      >
        {state.kind === "ended"
          ? t(lang, "live.ended", { reason: state.reason ?? "" })
          : t(lang, `live.${state.kind}`)}{" "}
        · {t(lang, "live.received", { count: formatNumber(feed.received, lang) })}
        {feed.isPaused() && <> · {t(lang, "live.held", { count: formatNumber(feed.heldCount(), lang) })}</>}
        {feed.dropped() > 0 && (
          <> · {t(lang, "live.dropped", { count: formatNumber(feed.dropped(), lang) })}</>
        )}
      </p>
      {items.length === 0 ? (
        <p class="empty">{t(lang, "live.empty")}</p>
      ) : (
        <table class="feed">
          <thead>
            <tr>
              <th scope="col">{t(lang, "live.time")}</th>
              <th scope="col">{t(lang, "live.type")}</th>
              <th scope="col">{t(lang, "live.object")}</th>
              <th scope="col">{t(lang, "live.tlp")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.key} data-id={i.object.id}>
                <td>{i.at ? formatTime(i.at, lang) : ""}</td>
                <td>{i.object.type}</td>
                <td>{label(i.object)}</td>
                <td class={`tlp tlp-${i.tlp.toLowerCase().replace("+", "-")}`}>
                  {i.tlp ? `TLP:${i.tlp}` : t(lang, "live.default")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
