import { useRef } from "preact/hooks";
import type { MessageKey } from "../i18n/en";
import { t, type Lang } from "../i18n";
import { BRIEFING_CAPS, BRIEFING_PERIODS, briefingSource } from "../router";

const capLabel = (cap: string) => `TLP:${cap.toUpperCase()}`;

// The briefing for decision-makers: the hub composes the page through its
// decision point with this account's rights and the chosen cap (the same
// page `kizuna briefing` writes); the dashboard frames it, prints it, or
// opens it on its own.
export function Briefing(props: {
  lang: Lang;
  since: string;
  maxTlp: string;
  onChange: (since: string, maxTlp: string) => void;
}) {
  const { lang, since, maxTlp, onChange } = props;
  const frame = useRef<HTMLIFrameElement>(null);
  const src = briefingSource(since, maxTlp, lang);
  const command = `kizuna briefing --hub ${window.location.origin}/ --user USER --password-file FILE --since ${since} --lang ${lang} --max-tlp ${maxTlp} --format pdf --out briefing.pdf`;
  return (
    <section aria-labelledby="briefing-title" class="briefing">
      <h1 id="briefing-title">{t(lang, "briefing.title")}</h1>
      <p>{t(lang, "briefing.intro")}</p>
      <div class="controls">
        <label>
          {t(lang, "briefing.period")}{" "}
          <select
            name="since"
            value={since}
            onChange={(e) => onChange((e.target as HTMLSelectElement).value, maxTlp)}
          >
            {BRIEFING_PERIODS.map((p) => (
              <option key={p} value={p}>
                {t(lang, `briefing.since.${p}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t(lang, "briefing.maxTlp")}{" "}
          <select
            name="max_tlp"
            value={maxTlp}
            onChange={(e) => onChange(since, (e.target as HTMLSelectElement).value)}
          >
            {BRIEFING_CAPS.map((c) => (
              <option key={c} value={c}>
                {capLabel(c)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => frame.current?.contentWindow?.print()}>
          {t(lang, "briefing.print")}
        </button>
        <a href={src} target="_blank" rel="noopener">
          {t(lang, "briefing.open")}
        </a>
      </div>
      <iframe
        ref={frame}
        key={src}
        src={src}
        class="briefing-frame"
        title={t(lang, "briefing.frame", { tlp: capLabel(maxTlp) })}
        data-testid="briefing-frame"
      />
      <p class="hint">{t(lang, "briefing.cli", { command })}</p>
    </section>
  );
}
