import { render } from "preact";
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { Api, ApiError, type Session } from "./api";
import { LANGS, STORAGE_KEY, pickLang, t, type Lang } from "./i18n";
import { hrefFor, parseRoute, type Route } from "./router";
import { Briefing } from "./views/Briefing";
import { Explore } from "./views/Explore";
import { ObjectView } from "./views/ObjectView";
import { SectorsView } from "./views/SectorsView";
import { Incident } from "./views/Incident";
import { Incidents } from "./views/Incidents";
import { Live } from "./views/Live";
import { Login } from "./views/Login";
import { Overview } from "./views/Overview";
import "./style.css";

function storedLang(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function rememberLang(lang: Lang): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // storage refused (private mode): the URL still carries ?lang=
  }
}

function App() {
  const api = useMemo(() => new Api(), []);
  const [lang, setLang] = useState<Lang>(() =>
    pickLang(window.location.search, storedLang(), navigator.languages ?? []),
  );
  const [route, setRoute] = useState<Route>(() =>
    parseRoute(window.location.pathname, window.location.search),
  );
  // undefined: not known yet; null: signed out.
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [root, setRoot] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t(lang, "app.name");
    rememberLang(lang);
  }, [lang]);

  useEffect(() => {
    api.current().then(setSession, () => setSession(null));
    const onPop = () => setRoute(parseRoute(window.location.pathname, window.location.search));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, [api]);

  useEffect(() => {
    if (!session) return;
    api.apiRoot().then(setRoot, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [api, session]);

  const go = useCallback(
    (r: Route, l: Lang = lang) => {
      window.history.pushState(null, "", hrefFor(r, l));
      setRoute(r);
      setError(null);
    },
    [lang],
  );

  const switchLang = (l: Lang) => {
    setLang(l);
    window.history.replaceState(null, "", hrefFor(route, l));
  };

  // A 401 anywhere: the session ended (signed out elsewhere, expired, the account changed).
  const onError = useCallback(
    (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) {
        api.setSession(null);
        setSession(null);
        setNotice(t(lang, "session.expired"));
        return;
      }
      setError(t(lang, "common.error", { message: e instanceof Error ? e.message : String(e) }));
    },
    [api, lang],
  );

  const signOut = async () => {
    try {
      await api.signOut();
    } finally {
      setSession(null);
      setRoot(null);
    }
  };

  const langSwitch = (
    <nav class="lang" aria-label={t(lang, "lang.switch")}>
      {LANGS.map((l) => (
        <button type="button" lang={l} aria-pressed={l === lang} onClick={() => switchLang(l)}>
          {t(l, `lang.${l}`)}
        </button>
      ))}
    </nav>
  );

  if (session === undefined) return <p class="loading">{t(lang, "common.loading")}</p>;
  if (session === null) {
    return (
      <>
        <header class="top">{langSwitch}</header>
        <Login
          api={api}
          lang={lang}
          notice={notice}
          onSignedIn={(s) => {
            setNotice(null);
            setSession(s);
          }}
        />
      </>
    );
  }

  const link = (
    r: Route,
    key: "nav.overview" | "nav.incidents" | "nav.live" | "nav.explore" | "nav.sectors" | "nav.briefing",
  ) => (
    <a
      href={hrefFor(r, lang)}
      aria-current={
        route.view === r.view ||
        (route.view === "incident" && r.view === "incidents") ||
        (route.view === "object" && r.view === "explore")
          ? "page"
          : undefined
      }
      onClick={(e) => {
        e.preventDefault();
        go(r);
      }}
    >
      {t(lang, key)}
    </a>
  );

  return (
    <>
      <header class="top">
        <span class="brand">{t(lang, "app.name")}</span>
        <nav class="views" aria-label={t(lang, "nav.main")}>
          {link({ view: "overview" }, "nav.overview")}
          {link({ view: "incidents", status: "" }, "nav.incidents")}
          {link({ view: "live", collection: "" }, "nav.live")}
          {link({ view: "explore", q: "", type: "" }, "nav.explore")}
          {link({ view: "sectors" }, "nav.sectors")}
          {link({ view: "briefing", since: "7d", maxTlp: "green" }, "nav.briefing")}
        </nav>
        {langSwitch}
        <span class="who">{t(lang, "session.signedInAs", { user: session.username })}</span>
        <button type="button" class="sign-out" onClick={signOut}>
          {t(lang, "session.signOut")}
        </button>
      </header>
      <main id="main">
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        {root === null ? (
          <p>{t(lang, "common.loading")}</p>
        ) : route.view === "overview" ? (
          <Overview api={api} root={root} lang={lang} onError={onError} />
        ) : route.view === "incidents" ? (
          <Incidents
            api={api}
            root={root}
            lang={lang}
            status={route.status}
            onStatus={(s) => go({ view: "incidents", status: s })}
            onOpen={(id) => go({ view: "incident", id })}
            onError={onError}
          />
        ) : route.view === "incident" ? (
          <Incident
            api={api}
            root={root}
            lang={lang}
            id={route.id}
            session={session}
            onBack={() => go({ view: "incidents", status: "" })}
            onOpen={(objectId) => go({ view: "object", id: objectId })}
            onError={onError}
          />
        ) : route.view === "live" ? (
          <Live
            api={api}
            root={root}
            lang={lang}
            collection={route.collection}
            onCollection={(c) => go({ view: "live", collection: c })}
            onError={onError}
          />
        ) : route.view === "sectors" ? (
          <SectorsView api={api} lang={lang} onError={onError} />
        ) : route.view === "explore" ? (
          <Explore
            api={api}
            lang={lang}
            q={route.q}
            type={route.type}
            onSearch={(q, type) => go({ view: "explore", q, type })}
            onOpen={(id) => go({ view: "object", id })}
            onError={onError}
          />
        ) : route.view === "object" ? (
          <ObjectView
            api={api}
            root={root}
            lang={lang}
            id={route.id}
            onOpen={(id) => go({ view: "object", id })}
            onError={onError}
          />
        ) : route.view === "briefing" ? (
          <Briefing
            lang={lang}
            since={route.since}
            maxTlp={route.maxTlp}
            onChange={(since, maxTlp) => go({ view: "briefing", since, maxTlp })}
          />
        ) : (
          <p>{t(lang, "common.notFound")}</p>
        )}
      </main>
    </>
  );
}

const mount = document.getElementById("app");
if (mount) render(<App />, mount);
