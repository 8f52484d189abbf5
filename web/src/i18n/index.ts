// The dashboard's two languages: which one a page uses (?lang=, then the
// remembered choice, then the browser's), its messages with {placeholders},
// and times shown in UTC and JST together.
import { en, type MessageKey } from "./en";
import { ja } from "./ja";

export type Lang = "en" | "ja";
export const LANGS: readonly Lang[] = ["en", "ja"];
export const STORAGE_KEY = "kizuna.lang";

const catalogues: Record<Lang, Record<MessageKey, string>> = { en, ja };

export function isLang(v: string | null | undefined): v is Lang {
  return v === "en" || v === "ja";
}

// ?lang= wins (and is remembered by the caller), then the stored choice,
// then the first browser language we have, then English.
export function pickLang(search: string, stored: string | null, browser: readonly string[]): Lang {
  const q = new URLSearchParams(search).get("lang");
  if (isLang(q)) return q;
  if (isLang(stored)) return stored;
  for (const b of browser) {
    const base = b.toLowerCase().split("-")[0];
    if (isLang(base)) return base;
  }
  return "en";
}

export function t(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = catalogues[lang][key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

// The placeholders of a message ({name}), sorted: both languages must agree.
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();
}

export function catalogue(lang: Lang): Readonly<Record<MessageKey, string>> {
  return catalogues[lang];
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function clock(d: Date, offsetHours: number): string {
  const s = new Date(d.getTime() + offsetHours * 3_600_000);
  return `${s.getUTCFullYear()}-${pad(s.getUTCMonth() + 1)}-${pad(s.getUTCDate())} ${pad(s.getUTCHours())}:${pad(s.getUTCMinutes())}`;
}

// "2026-12-07 10:00 UTC (19:00 JST)" in English, JST first in Japanese.
export function formatTime(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const utc = clock(d, 0);
  const jst = clock(d, 9);
  return lang === "ja" ? `${jst} JST（${utc.slice(11)} UTC）` : `${utc} UTC (${jst.slice(11)} JST)`;
}

export function formatNumber(n: number, lang: Lang): string {
  return new Intl.NumberFormat(lang === "ja" ? "ja-JP" : "en-US").format(n);
}
