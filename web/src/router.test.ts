import { describe, expect, it } from "vitest";
import { briefingSource, hrefFor, parseRoute } from "./router";

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
    expect(parseRoute("/ui/briefing", "?since=30d&max_tlp=amber")).toEqual({
      view: "briefing",
      since: "30d",
      maxTlp: "amber",
    });
    // Unknown values fall back to a week at GREEN (never to no cap).
    expect(parseRoute("/ui/briefing", "?since=forever&max_tlp=purple")).toEqual({
      view: "briefing",
      since: "7d",
      maxTlp: "green",
    });
    expect(hrefFor({ view: "briefing", since: "24h", maxTlp: "amber+strict" }, "ja")).toBe(
      "/ui/briefing?lang=ja&since=24h&max_tlp=amber%2Bstrict",
    );
    expect(parseRoute("/ui/explore", "?q=railghost&type=malware")).toEqual({
      view: "explore",
      q: "railghost",
      type: "malware",
    });
    expect(hrefFor({ view: "explore", q: "鉄道", type: "" }, "ja")).toBe(
      "/ui/explore?lang=ja&q=%E9%89%84%E9%81%93",
    );
    expect(parseRoute("/ui/objects/malware--1", "")).toEqual({ view: "object", id: "malware--1" });
    expect(hrefFor({ view: "object", id: "malware--1" }, "en")).toBe("/ui/objects/malware--1?lang=en");
    expect(briefingSource("7d", "green", "ja")).toBe("/ui/api/briefing?since=7d&lang=ja&max_tlp=green");
  });
});
