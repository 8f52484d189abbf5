// The hub's APIs as the dashboard calls them: same origin, the session
// cookie (HttpOnly: never visible here), and the session's CSRF token on
// every state-changing request (docs/ui.md).

export interface Session {
  username: string;
  organization: string;
  roles: string[];
  csrf_token: string;
  expires: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
const TAXII = "application/taxii+json;version=2.1";

export class Api {
  private csrf: string | null = null;

  constructor(private readonly fetchFn: Fetch = (i, r) => fetch(i, r)) {}

  setSession(s: Session | null): void {
    this.csrf = s ? s.csrf_token : null;
  }

  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    accept = "application/json",
    contentType = "application/json",
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: accept };
    if (body !== undefined) headers["Content-Type"] = contentType;
    if (!SAFE.has(method) && this.csrf) headers["X-CSRF-Token"] = this.csrf;
    const init: RequestInit = { method, headers, credentials: "same-origin", cache: "no-store" };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await this.fetchFn(path, init);
    const text = await r.text();
    if (!r.ok) {
      let message = r.statusText || String(r.status);
      try {
        const e = JSON.parse(text) as { description?: string; title?: string };
        message = e.description ?? e.title ?? message;
      } catch {
        // not JSON: keep the status text
      }
      throw new ApiError(r.status, message);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async signIn(username: string, password: string): Promise<Session> {
    const s = await this.call<Session>("POST", "/ui/api/session", { username, password });
    this.setSession(s);
    return s;
  }

  async current(): Promise<Session | null> {
    try {
      const s = await this.call<Session>("GET", "/ui/api/session");
      this.setSession(s);
      return s;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null;
      throw e;
    }
  }

  async signOut(): Promise<void> {
    await this.call<unknown>("DELETE", "/ui/api/session");
    this.setSession(null);
  }

  // The API root the coordination API is under: the discovery's default.
  async apiRoot(): Promise<string> {
    const d = await this.call<{ default?: string; api_roots?: string[] }>(
      "GET",
      "/taxii2/",
      undefined,
      "application/taxii+json;version=2.1",
    );
    const url = d.default ?? d.api_roots?.[0];
    if (!url) throw new ApiError(404, "no API root");
    const parts = new URL(url, window.location.origin).pathname.split("/").filter(Boolean);
    const last = parts[parts.length - 1];
    if (!last) throw new ApiError(404, "no API root");
    return last;
  }

  async collections(root: string): Promise<Collection[]> {
    const r = await this.call<{ collections?: Collection[] }>(
      "GET",
      `/${encodeURIComponent(root)}/collections/`,
      undefined,
      "application/taxii+json;version=2.1",
    );
    return r.collections ?? [];
  }

  incidents(root: string, status?: string, extra: Record<string, string> = {}): Promise<IncidentList> {
    const q = new URLSearchParams({ limit: "100" });
    if (status) q.set("status", status);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return this.call<IncidentList>("GET", `/coordination/v1/${encodeURIComponent(root)}/incidents?${q}`);
  }

  incident(root: string, id: string): Promise<IncidentShow> {
    return this.call<IncidentShow>(
      "GET",
      `/coordination/v1/${encodeURIComponent(root)}/incidents/${encodeURIComponent(id)}?notes=0&events=20`,
    );
  }

  updateTask(root: string, task: string, update: TaskUpdate): Promise<{ id: string }> {
    return this.call<{ id: string }>(
      "POST",
      `/coordination/v1/${encodeURIComponent(root)}/tasks/${encodeURIComponent(task)}/updates`,
      update,
    );
  }

  // The object explorer (docs/ui.md): search, and one object as the reader sees it.
  search(params: { q?: string; type?: string; id?: string; days?: number }): Promise<SearchResults> {
    const q = new URLSearchParams();
    if (params.q) q.set("q", params.q);
    if (params.type) q.set("type", params.type);
    if (params.id) q.set("id", params.id);
    if (params.days) q.set("days", String(params.days));
    return this.call<SearchResults>("GET", `/ui/api/search?${q}`);
  }

  object(id: string): Promise<ObjectDetail> {
    return this.call<ObjectDetail>("GET", `/ui/api/object?${new URLSearchParams({ id })}`);
  }

  // Posts STIX objects to a collection over TAXII (as the signed-in account).
  postObjects(root: string, collection: string, objects: unknown[]): Promise<TaxiiStatus> {
    return this.call<TaxiiStatus>(
      "POST",
      `/${encodeURIComponent(root)}/collections/${encodeURIComponent(collection)}/objects/`,
      { objects },
      TAXII,
      TAXII,
    );
  }

  federation(): Promise<FederationHealth> {
    return this.call<FederationHealth>("GET", "/ui/api/federation");
  }

  sectors(): Promise<Crosswalk> {
    return this.call<Crosswalk>("GET", "/ui/api/sectors");
  }

  overview(days = 30): Promise<OverviewCounts> {
    return this.call<OverviewCounts>("GET", `/ui/api/overview?days=${days}`);
  }

  // How many open incidents at each priority level: the hub's totals count
  // only what the reader may see ("priority=L" is that level or above).
  async openByPriority(root: string, levels: readonly string[]): Promise<Map<string, number>> {
    const atLeast = await Promise.all(
      levels.map((l) => this.incidents(root, "open", { priority: l, limit: "1" }).then((r) => r.total)),
    );
    const out = new Map<string, number>();
    levels.forEach((l, i) => out.set(l, (atLeast[i] ?? 0) - (atLeast[i + 1] ?? 0)));
    return out;
  }
}

export interface Collection {
  id: string;
  title: string;
  alias?: string;
  can_read: boolean;
  can_write: boolean;
}

export interface Org {
  id: string;
  name?: string;
  nation?: string;
  hub?: string;
}

export interface IncidentSummary {
  id: string;
  name: string;
  collection: string;
  status: string;
  owner: Org;
  created: string;
  modified: string;
  sectors: string[];
  criticality?: number;
  determination?: string;
  tasks: number;
  events: number;
  priority: { score: number; level: string };
  correlation: { incidents: string[]; sightings: number; organization_count: number; nations: string[] };
}

export interface TaskView {
  id: string;
  name: string;
  outcome: string;
  assignee: Org;
  assignee_account?: string;
  progress?: number;
  updates_applied: number;
  updates_pending: string[];
  last_change?: { note: string; organization: string; author: string; at: string };
}

export interface IncidentShow extends Omit<IncidentSummary, "tasks" | "events"> {
  tasks: TaskView[];
  events: StixLike[];
  events_total: number;
  impacts: StixLike[];
  links: StixLike[];
  notes_total: number;
}

export interface StixLike {
  type: string;
  id: string;
  name?: string;
  description?: string;
  [key: string]: unknown;
}

export interface TaskUpdate {
  outcome: string;
  progress?: number;
  note?: string;
}

export interface OverviewCounts {
  days: string[];
  total: number;
  by_tlp: { tlp: string; counts: number[] }[];
  by_nation: { nation: string; counts: number[] }[];
  by_sector: SectorSeries[];
  sightings_by_sector: SectorSeries[];
  top_sighted: { id: string; type: string; name: string; sightings: number }[];
  by_type: { type: string; count: number }[];
  collections: number;
}

export interface IncidentList {
  total: number;
  incidents: IncidentSummary[];
}

// A sector's counts per day, with its names and its place in the US/JP
// crosswalk ("" sector: organizations without one; no names then).
export interface SectorSeries {
  sector: string;
  counts: number[];
  name_en?: string;
  name_ja?: string;
  us?: string;
  jp?: string;
  jp_ja?: string;
}

export interface TaxiiStatus {
  status: string;
  success_count: number;
  failure_count: number;
  failures?: { id: string; message?: string }[];
}

export interface SearchResult {
  id: string;
  type: string;
  name: string;
  modified: string;
  tlp: string;
  collection: string;
  collection_title: string;
}

export interface SearchResults {
  results: SearchResult[];
  more: boolean;
  scanned: number;
}

export interface Translation {
  id: string;
  lang: string;
  contents: Record<string, unknown>;
  modified: string;
  by: string;
}

export interface Related {
  id: string;
  type: string;
  name: string;
  tlp: string;
  via: string;
  direction: "in" | "out";
}

export interface ObjectDetail {
  id: string;
  type: string;
  collection: string;
  tlp: string;
  object: Record<string, unknown>;
  versions: { modified: string; collection: string; tlp: string }[];
  translations: Translation[];
  related: Related[];
}

// The sector crosswalk: Kizuna's sectors, the US 16 and Japan's 15.
export interface Crosswalk {
  sectors: {
    code: string;
    name_en: string;
    name_ja: string;
    us: string;
    jp: string;
    jp_ja: string;
    stix: string[];
  }[];
  us: string[];
  jp: { en: string; ja: string }[];
  organizations: { id: string; name: string; nation: string; sectors: string[] }[];
}

// The federation's links as this hub sees them (the failure's text for admins only).
export interface FederationHealth {
  hub: string;
  peers: {
    peer: string;
    state: "ok" | "failing" | "waiting";
    last_sync: string | null;
    last_push: string | null;
    lag_s: number | null;
    channels_open: number;
    since?: string;
    error?: string;
  }[];
}
