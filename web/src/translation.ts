// STIX `language-content` (STIX 2.1 §7.1): an object's text in another
// language. The dashboard shows an object in the reader's language when a
// translation exists (the original one click away), and posts a reader's
// translation as a new language-content object.
import type { ObjectDetail } from "./api";

// The fields a translation may carry, in display order.
export const TRANSLATED_FIELDS = ["name", "description"] as const;
export type TranslatedField = (typeof TRANSLATED_FIELDS)[number];

export type Texts = Partial<Record<TranslatedField, string>>;

// The newest translation's texts for `lang` (each field from the newest
// translation that has it), or null when there is none.
export function translationFor(detail: ObjectDetail, lang: string): Texts | null {
  const mine = detail.translations
    .filter((t) => t.lang === lang)
    .sort((a, b) => (a.modified < b.modified ? 1 : a.modified > b.modified ? -1 : 0));
  const out: Texts = {};
  for (const field of TRANSLATED_FIELDS) {
    for (const t of mine) {
      const v = t.contents[field];
      if (typeof v === "string" && v) {
        out[field] = v;
        break;
      }
    }
  }
  return Object.keys(out).length > 0 ? out : null;
}

// The object's own language (STIX `lang`, default English).
export function originalLang(object: Record<string, unknown>): string {
  return typeof object.lang === "string" && object.lang ? object.lang : "en";
}

// STIX timestamps carry milliseconds here: "2026-12-07T22:30:00.000Z".
function stixTime(d: Date): string {
  return d.toISOString();
}

// The audience extension (docs/policy.md): the organizations and accounts
// an object is for.
const AUDIENCE = "extension-definition--7a79d0e5-a2c1-4b04-870f-c5d9a7fed356";

// A language-content object translating `object` into `lang`, marked as the
// object is (a translation says what the original says): its markings, its
// audience, and the markings of any part of it (granular markings) for the
// whole translation, so that it never reaches anyone the original's text
// does not. Empty fields are left out; null when nothing is left.
export function buildTranslation(
  object: Record<string, unknown>,
  lang: string,
  texts: Texts,
  now: Date,
  uuid: string,
): Record<string, unknown> | null {
  const contents: Record<string, string> = {};
  for (const field of TRANSLATED_FIELDS) {
    const v = texts[field]?.trim();
    if (v) contents[field] = v;
  }
  if (Object.keys(contents).length === 0) return null;
  const lc: Record<string, unknown> = {
    type: "language-content",
    spec_version: "2.1",
    id: `language-content--${uuid}`,
    created: stixTime(now),
    modified: stixTime(now),
    object_ref: object.id,
    object_modified: object.modified,
    contents: { [lang]: contents },
  };
  const markings = new Set<string>();
  if (Array.isArray(object.object_marking_refs)) {
    for (const m of object.object_marking_refs) if (typeof m === "string") markings.add(m);
  }
  if (Array.isArray(object.granular_markings)) {
    for (const g of object.granular_markings as { marking_ref?: unknown }[]) {
      if (typeof g?.marking_ref === "string") markings.add(g.marking_ref);
    }
  }
  if (markings.size > 0) lc.object_marking_refs = [...markings];
  const ext = object.extensions as Record<string, unknown> | undefined;
  if (ext && typeof ext === "object" && ext[AUDIENCE]) lc.extensions = { [AUDIENCE]: ext[AUDIENCE] };
  return lc;
}
