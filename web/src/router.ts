// The dashboard's routes under /ui/ (each view has a stable URL; ?lang= is
// kept as the reader moves around).
export type Route =
  | { view: "overview" }
  | { view: "incidents"; status: string }
  | { view: "incident"; id: string }
  | { view: "live"; collection: string }
  | { view: "not-found" };

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
  return `${BASE}?${q}`;
}
