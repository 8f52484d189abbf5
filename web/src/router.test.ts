import { describe, expect, it } from "vitest";
import { hrefFor, parseRoute } from "./router";

describe("routes", () => {
  it("read the view and its filter from the address, and write it back", () => {
    expect(parseRoute("/ui/", "")).toEqual({ view: "overview" });
    expect(parseRoute("/ui/incidents", "?status=open&lang=ja")).toEqual({
      view: "incidents",
      status: "open",
    });
    expect(parseRoute("/ui/incidents", "?status=bogus")).toEqual({ view: "incidents", status: "" });
    expect(parseRoute("/ui/nothing/here", "")).toEqual({ view: "not-found" });
    expect(parseRoute("/ui/incidents/incident--1", "")).toEqual({ view: "incident", id: "incident--1" });
    expect(hrefFor({ view: "incident", id: "incident--1" }, "ja")).toBe("/ui/incidents/incident--1?lang=ja");
    expect(parseRoute("/ui/live", "?collection=c1")).toEqual({ view: "live", collection: "c1" });
    expect(hrefFor({ view: "live", collection: "c1" }, "en")).toBe("/ui/live?lang=en&collection=c1");
    expect(hrefFor({ view: "incidents", status: "closed" }, "ja")).toBe(
      "/ui/incidents?lang=ja&status=closed",
    );
    expect(hrefFor({ view: "overview" }, "en")).toBe("/ui/?lang=en");
  });
});
