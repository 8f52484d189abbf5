import { describe, expect, it } from "vitest";
import { Api, ApiError, type Fetch } from "./api";

function recorder(responses: Response[]) {
  const calls: { input: string; init: RequestInit }[] = [];
  const fetchFn: Fetch = (input, init) => {
    calls.push({ input, init });
    const r = responses.shift();
    return Promise.resolve(r ?? new Response("", { status: 500 }));
  };
  return { calls, fetchFn };
}

const session = {
  username: "alice",
  organization: "identity--1",
  roles: [],
  csrf_token: "tok",
  expires: "x",
};

describe("Api", () => {
  it("sends the CSRF token on state-changing requests only, and never credentials of its own", async () => {
    const { calls, fetchFn } = recorder([
      new Response(JSON.stringify(session), { status: 201 }),
      new Response(JSON.stringify({ total: 0, incidents: [] }), { status: 200 }),
      new Response(null, { status: 204 }),
    ]);
    const api = new Api(fetchFn);
    await api.signIn("alice", "pw");
    await api.incidents("kizuna", "open");
    await api.signOut();
    const headers = calls.map((c) => c.init.headers as Record<string, string>);
    expect(headers[0]?.["X-CSRF-Token"]).toBeUndefined(); // the sign-in has no session yet
    expect(headers[1]?.["X-CSRF-Token"]).toBeUndefined(); // a read
    expect(headers[2]?.["X-CSRF-Token"]).toBe("tok");
    for (const c of calls) {
      expect(c.init.credentials).toBe("same-origin");
      expect((c.init.headers as Record<string, string>)["Authorization"]).toBeUndefined();
    }
    expect(calls[1]?.input).toBe("/coordination/v1/kizuna/incidents?limit=100&status=open");
  });

  it("turns error bodies into ApiError with the hub's description", async () => {
    const { fetchFn } = recorder([
      new Response(JSON.stringify({ title: "Unauthorized", description: "wrong username or password" }), {
        status: 401,
      }),
    ]);
    const api = new Api(fetchFn);
    await expect(api.signIn("alice", "bad")).rejects.toEqual(new ApiError(401, "wrong username or password"));
  });

  it("reads a missing session as signed out", async () => {
    const { fetchFn } = recorder([new Response("{}", { status: 401 })]);
    expect(await new Api(fetchFn).current()).toBeNull();
  });
});
