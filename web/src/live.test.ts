import { describe, expect, it } from "vitest";
import { LiveFeed, tlpOf } from "./live";

const GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
const RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

function ind(n: number, marking?: string) {
  return {
    type: n % 2 ? "indicator" : "sighting",
    id: `indicator--${n}`,
    modified: `2026-12-07T00:00:0${n % 10}.000Z`,
    ...(marking ? { object_marking_refs: [marking] } : {}),
  };
}

describe("LiveFeed", () => {
  it("shows the newest first and filters by type and TLP", () => {
    const f = new LiveFeed();
    f.add("t1", [ind(1, GREEN), ind(2, RED)]);
    f.add("t2", [ind(3)]);
    expect(f.items({ type: "", tlp: "" }).map((i) => i.object.id)).toEqual([
      "indicator--3",
      "indicator--2",
      "indicator--1",
    ]);
    expect(f.items({ type: "indicator", tlp: "" }).map((i) => i.object.id)).toEqual([
      "indicator--3",
      "indicator--1",
    ]);
    expect(f.items({ type: "", tlp: "RED" }).map((i) => i.object.id)).toEqual(["indicator--2"]);
  });

  it("filters by the sector of the producing organization", () => {
    const f = new LiveFeed();
    f.directory = new Map([
      ["identity--power", ["energy-electric", "energy-gas"]],
      ["identity--rail", ["rail"]],
    ]);
    f.add("t1", [
      { ...ind(1), created_by_ref: "identity--power" },
      { ...ind(3), created_by_ref: "identity--rail" },
      ind(5),
    ]);
    expect(f.items({ type: "", tlp: "", sector: "energy-gas" }).map((i) => i.object.id)).toEqual([
      "indicator--1",
    ]);
    expect(f.items({ type: "", tlp: "", sector: "rail" }).map((i) => i.object.id)).toEqual(["indicator--3"]);
    expect(f.items({ type: "", tlp: "", sector: "" })).toHaveLength(3);
  });

  it("loses nothing while paused and shows it all on resume", () => {
    const f = new LiveFeed();
    f.add("t1", [ind(1)]);
    f.pause();
    for (let n = 2; n < 12; n++) f.add(`t${n}`, [ind(n)]);
    expect(f.items({ type: "", tlp: "" })).toHaveLength(1);
    expect(f.heldCount()).toBe(10);
    f.resume();
    expect(f.items({ type: "", tlp: "" })).toHaveLength(11);
    expect(f.items({ type: "", tlp: "" })[0]?.object.id).toBe("indicator--11");
    expect(f.received).toBe(11);
  });

  it("is bounded, shown and held, and says what a full hold dropped", () => {
    const f = new LiveFeed(5, 3);
    for (let n = 0; n < 8; n++) f.add("t", [ind(n)]);
    expect(f.items({ type: "", tlp: "" })).toHaveLength(5);
    f.pause();
    for (let n = 0; n < 5; n++) f.add("t", [ind(n)]);
    expect(f.heldCount()).toBe(3);
    expect(f.dropped()).toBe(2);
  });

  it("ignores what is not an object with a type and an id", () => {
    const f = new LiveFeed();
    f.add("t", [null as never, { type: "x" } as never, ind(1)]);
    expect(f.received).toBe(1);
    expect(tlpOf({ type: "indicator", id: "i", object_marking_refs: ["marking-definition--x"] })).toBe("");
  });
});
