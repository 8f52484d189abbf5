// The live feed's state, apart from the page: objects arriving on a
// collection's channel, newest first, filtered by type and TLP; paused, it
// keeps what arrives (nothing is lost) and shows it on resume. Bounded: the
// feed shows the newest `keep` objects and a paused feed holds at most
// `holdLimit` (past it the oldest held are dropped and counted).

export const TLP_IDS: Record<string, string> = {
  "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "CLEAR",
  "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "GREEN",
  "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "AMBER",
  "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "AMBER+STRICT",
  "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "RED",
  // TLP 1.0
  "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "CLEAR",
  "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "GREEN",
  "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "AMBER",
  "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "RED",
};

export interface StixObject {
  type: string;
  id: string;
  name?: string;
  modified?: string;
  created?: string;
  object_marking_refs?: string[];
  [key: string]: unknown;
}

export interface FeedItem {
  key: string; // id and version: a new version is a new item
  object: StixObject;
  tlp: string; // "" when the object names none (the collection's default applies)
  at: string; // the channel event's id (date_added)
}

export interface Filter {
  type: string; // "" = any
  tlp: string; // "" = any
  sector?: string; // a Kizuna sector code of the producing organization; "" or absent = any
}

// Organization id -> its sectors (from the hub's trust model).
export type Directory = ReadonlyMap<string, readonly string[]>;

export function tlpOf(o: StixObject): string {
  for (const ref of o.object_marking_refs ?? []) {
    const name = TLP_IDS[ref];
    if (name) return name;
  }
  return "";
}

export function matches(item: FeedItem, f: Filter, directory: Directory = new Map()): boolean {
  if (f.type && item.object.type !== f.type) return false;
  if (f.tlp && item.tlp !== f.tlp) return false;
  if (f.sector) {
    const by = typeof item.object.created_by_ref === "string" ? item.object.created_by_ref : "";
    if (!(directory.get(by) ?? []).includes(f.sector)) return false;
  }
  return true;
}

export class LiveFeed {
  private shown: FeedItem[] = [];
  private held: FeedItem[] = [];
  private droppedWhilePaused = 0;
  private paused = false;
  received = 0;

  constructor(
    private readonly keep = 500,
    private readonly holdLimit = 50_000,
  ) {}

  // One channel "objects" event.
  add(eventId: string, objects: StixObject[]): void {
    for (const o of objects) {
      if (!o || typeof o.id !== "string" || typeof o.type !== "string") continue;
      this.received++;
      const item: FeedItem = {
        key: `${o.id}|${o.modified ?? o.created ?? ""}`,
        object: o,
        tlp: tlpOf(o),
        at: eventId,
      };
      if (this.paused) {
        this.held.push(item);
        if (this.held.length > this.holdLimit) {
          this.held.shift();
          this.droppedWhilePaused++;
        }
      } else {
        this.shown.unshift(item);
      }
    }
    if (this.shown.length > this.keep) this.shown.length = this.keep;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const item of this.held) this.shown.unshift(item);
    this.held = [];
    if (this.shown.length > this.keep) this.shown.length = this.keep;
  }

  isPaused(): boolean {
    return this.paused;
  }

  heldCount(): number {
    return this.held.length;
  }

  dropped(): number {
    return this.droppedWhilePaused;
  }

  // The producers' sectors, for the sector filter.
  directory: Directory = new Map();

  items(f: Filter): FeedItem[] {
    return this.shown.filter((i) => matches(i, f, this.directory));
  }
}
