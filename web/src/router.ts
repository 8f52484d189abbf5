// The dashboard's routes under /ui/ (each view has a stable URL; ?lang= is
// kept as the reader moves around).
export type Route =
  | { view: "overview" }
  | { view: "incidents"; status: string }
  | { view: "incident"; id: string }
  | { view: "live"; collection: string }
  | { view: "briefing"; since: string; maxTlp: string }
  | { view: "explore"; q: string; type: string }
  | { view: "sectors" }
  | { view: "object"; id: string }
  | { view: "not-found" };

export const BRIEFING_PERIODS = ["24h", "7d", "30d", "90d"] as const;
export const BRIEFING_CAPS = ["clear", "green", "amber", "amber+strict", "red"] as const;

export const BASE = "/ui/";

export function parseRoute(pathname: string, search: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname.replace(/^\/ui\/?/, "");
  const parts = rest.split("/").filter(Boolean);
  if (parts.length === 0) return { view: "overview" };
  if (parts[0] === "incidents" && parts.length === 1) {
    const status = new URLSearchParams(search).get("status") ?? "";
    return { view: "incidents", status: ["new", "open", "closed"].includes(status) ? status : "" };
  }
  if (parts[0] === "incidents" && parts.length === 2 && parts[1]) {
    return { view: "incident", id: decodeURIComponent(parts[1]) };
  }
  if (parts[0] === "live" && parts.length === 1) {
    return { view: "live", collection: new URLSearchParams(search).get("collection") ?? "" };
  }
  if (parts[0] === "sectors" && parts.length === 1) return { view: "sectors" };
  if (parts[0] === "explore" && parts.length === 1) {
    const q = new URLSearchParams(search);
    return { view: "explore", q: q.get("q") ?? "", type: q.get("type") ?? "" };
  }
  if (parts[0] === "objects" && parts.length === 2 && parts[1]) {
    return { view: "object", id: decodeURIComponent(parts[1]) };
  }
  if (parts[0] === "briefing" && parts.length === 1) {
    const q = new URLSearchParams(search);
    const since = q.get("since") ?? "";
    const cap = q.get("max_tlp") ?? "";
    return {
      view: "briefing",
      since: (BRIEFING_PERIODS as readonly string[]).includes(since) ? since : "7d",
      maxTlp: (BRIEFING_CAPS as readonly string[]).includes(cap) ? cap : "green",
    };
  }
  return { view: "not-found" };
}

export function hrefFor(route: Route, lang: string): string {
  const q = new URLSearchParams({ lang });
  if (route.view === "incidents") {
    if (route.status) q.set("status", route.status);
    return `${BASE}incidents?${q}`;
  }
  if (route.view === "incident") return `${BASE}incidents/${encodeURIComponent(route.id)}?${q}`;
  if (route.view === "live") {
    if (route.collection) q.set("collection", route.collection);
    return `${BASE}live?${q}`;
  }
  if (route.view === "sectors") return `${BASE}sectors?${q}`;
  if (route.view === "explore") {
    if (route.q) q.set("q", route.q);
    if (route.type) q.set("type", route.type);
    return `${BASE}explore?${q}`;
  }
  if (route.view === "object") return `${BASE}objects/${encodeURIComponent(route.id)}?${q}`;
  if (route.view === "briefing") {
    q.set("since", route.since);
    q.set("max_tlp", route.maxTlp);
    return `${BASE}briefing?${q}`;
  }
  return `${BASE}?${q}`;
}

// The hub's briefing page for the dashboard's frame (and to open or save).
export function briefingSource(since: string, maxTlp: string, lang: string): string {
  return `/ui/api/briefing?${new URLSearchParams({ since, lang, max_tlp: maxTlp })}`;
}
