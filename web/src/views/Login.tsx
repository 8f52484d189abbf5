import { useState } from "preact/hooks";
import { ApiError, type Api, type Session } from "../api";
import { t, type Lang } from "../i18n";

export function Login(props: {
  api: Api;
  lang: Lang;
  notice: string | null;
  onSignedIn: (s: Session) => void;
}) {
  const { api, lang } = props;
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await api.signIn(username, password);
      setPassword("");
      props.onSignedIn(s);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t(lang, "login.failed"));
      else if (err instanceof ApiError && err.status === 429) setError(t(lang, "login.limited"));
      else setError(t(lang, "login.error", { status: err instanceof ApiError ? err.status : "network" }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <h1>{t(lang, "app.name")}</h1>
      <p class="tagline">{t(lang, "app.tagline")}</p>
      <form onSubmit={submit} class="login-form">
        <h2>{t(lang, "login.title")}</h2>
        {props.notice && <p class="notice">{props.notice}</p>}
        <Field
          label={t(lang, "login.username")}
          name="username"
          type="text"
          autocomplete="username"
          value={username}
          onValue={setUsername}
        />
        <Field
          label={t(lang, "login.password")}
          name="password"
          type="password"
          autocomplete="current-password"
          value={password}
          onValue={setPassword}
        />
        <button type="submit" disabled={busy}>
          {t(lang, "login.submit")}
        </button>
        <p role="alert" class="error">
          {error ?? ""}
        </p>
      </form>
    </main>
  );
}

function Field(props: {
  label: string;
  name: string;
  type: "text" | "password";
  autocomplete: string;
  value: string;
  onValue: (v: string) => void;
}) {
  return (
    <label>
      {props.label}
      <input
        name={props.name}
        type={props.type}
        autocomplete={props.autocomplete}
        required
        value={props.value}
        onInput={(e) => props.onValue((e.target as HTMLInputElement).value)}
      />
    </label>
  );
}
