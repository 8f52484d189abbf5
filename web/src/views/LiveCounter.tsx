import { useEffect, useState } from "preact/hooks";
import type { Api } from "../api";
import { formatNumber, t, type Lang } from "../i18n";

// Objects arriving on the channels of every collection the reader may read,
// counted since the page opened (each channel releases only what the reader
// may see, through the decision point).
export function LiveCounter(props: { api: Api; root: string; lang: Lang; onError: (e: unknown) => void }) {
  const { api, root, lang, onError } = props;
  const [count, setCount] = useState(0);
  const [channels, setChannels] = useState(0);
  useEffect(() => {
    let live = true;
    const sources: EventSource[] = [];
    api.collections(root).then((cs) => {
      if (!live) return;
      for (const c of cs.filter((x) => x.can_read)) {
        const source = new EventSource(
          `/${encodeURIComponent(root)}/collections/${encodeURIComponent(c.id)}/stream`,
        );
        source.addEventListener("open", () => live && setChannels((n) => n + 1));
        source.addEventListener("objects", (e) => {
          try {
            const d = JSON.parse((e as MessageEvent<string>).data) as { objects?: unknown[] };
            const n = d.objects?.length ?? 0;
            if (live && n > 0) setCount((x) => x + n);
          } catch {
            // a malformed event: not counted
          }
        });
        sources.push(source);
      }
    }, onError);
    return () => {
      live = false;
      for (const s of sources) s.close();
    };
  }, [api, root, onError]);
  return (
    <div class="card">
      <h2>{t(lang, "overview.liveCounter")}</h2>
      <p class="big" data-testid="live-counter" aria-live="polite">
        {formatNumber(count, lang)}
      </p>
      <p class="hint" data-channels={channels}>
        {t(lang, "overview.liveSince")}
      </p>
    </div>
  );
}
