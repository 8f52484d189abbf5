import { useEffect, useState } from "preact/hooks";
import type { Api, IncidentShow, Session, TaskView } from "../api";
import { formatTime, t, type Lang } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { priorityLabel, statusLabel } from "./Incidents";

const OUTCOMES = ["pending", "ongoing", "successful", "failed", "cancelled"];

export function outcomeLabel(lang: Lang, outcome: string): string {
  return [...OUTCOMES, "unknown"].includes(outcome) ? t(lang, `outcome.${outcome}` as MessageKey) : outcome;
}

// One incident as the reader may see it: its state, correlation, tasks (an
// assignee or the owner reports on a task here) and timeline.
export function Incident(props: {
  api: Api;
  root: string;
  lang: Lang;
  id: string;
  session: Session;
  onBack: () => void;
  onOpen: (objectId: string) => void;
  onError: (e: unknown) => void;
}) {
  const { api, root, lang, id, session, onError } = props;
  const [show, setShow] = useState<IncidentShow | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    api.incident(root, id).then((s) => live && setShow(s), onError);
    return () => {
      live = false;
    };
  }, [api, root, id, version, onError]);

  if (show === null) return <p>{t(lang, "common.loading")}</p>;
  const c = show.correlation;
  const mayReport = (task: TaskView) =>
    task.assignee.id === session.organization || show.owner.id === session.organization;

  return (
    <article aria-labelledby="incident-title">
      <p>
        <a
          href="#"
          onClick={(e) => {
            e.preventDefault();
            props.onBack();
          }}
        >
          ← {t(lang, "incident.back")}
        </a>
      </p>
      <h1 id="incident-title">{show.name}</h1>
      <dl class="facts">
        <dt>{t(lang, "incidents.status")}</dt>
        <dd data-testid="status">{statusLabel(lang, show.status)}</dd>
        <dt>{t(lang, "incidents.priority")}</dt>
        <dd class={`priority priority-${show.priority.level}`}>
          {priorityLabel(lang, show.priority.level)} ({show.priority.score})
        </dd>
        <dt>{t(lang, "incidents.owner")}</dt>
        <dd>{show.owner.name ?? show.owner.id}</dd>
        {show.determination && (
          <>
            <dt>{t(lang, "incident.determination")}</dt>
            <dd>{show.determination}</dd>
          </>
        )}
        {show.criticality !== undefined && (
          <>
            <dt>{t(lang, "incident.criticality")}</dt>
            <dd>{show.criticality}</dd>
          </>
        )}
        <dt>{t(lang, "incident.sectors")}</dt>
        <dd>{show.sectors.join(", ")}</dd>
        <dt>{t(lang, "incident.correlation")}</dt>
        <dd>
          {t(lang, "incident.correlationText", {
            orgs: c.organization_count,
            nations: c.nations.join(", "),
            sightings: c.sightings,
            incidents: c.incidents.length,
          })}
        </dd>
        <dt>{t(lang, "incidents.modified")}</dt>
        <dd>{formatTime(show.modified, lang)}</dd>
      </dl>

      <h2>{t(lang, "incident.tasks")}</h2>
      {show.tasks.length === 0 ? (
        <p>{t(lang, "incident.noTasks")}</p>
      ) : (
        <table class="tasks">
          <thead>
            <tr>
              <th scope="col">{t(lang, "incident.task")}</th>
              <th scope="col">{t(lang, "incident.assignee")}</th>
              <th scope="col">{t(lang, "incident.outcome")}</th>
              <th scope="col">{t(lang, "incident.progress")}</th>
              <th scope="col">{t(lang, "incident.lastChange")}</th>
            </tr>
          </thead>
          <tbody>
            {show.tasks.map((task) => (
              <tr key={task.id} data-id={task.id}>
                <td>{task.name}</td>
                <td>
                  {task.assignee.name ?? task.assignee.id}
                  {task.assignee.hub ? ` (${task.assignee.hub})` : ""}
                </td>
                <td data-testid="outcome">
                  {outcomeLabel(lang, task.outcome)}
                  {task.updates_pending.length > 0 &&
                    ` · ${t(lang, "incident.pending", { count: task.updates_pending.length })}`}
                </td>
                <td>{task.progress !== undefined ? `${task.progress}%` : ""}</td>
                <td>
                  {task.last_change
                    ? t(lang, "incident.by", {
                        author: task.last_change.author,
                        at: formatTime(task.last_change.at, lang),
                      })
                    : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {show.status !== "closed" &&
        show.tasks
          .filter(mayReport)
          .map((task) => (
            <TaskUpdateForm
              key={task.id}
              api={api}
              root={root}
              lang={lang}
              task={task}
              onSent={() => setVersion((v) => v + 1)}
              onError={onError}
            />
          ))}

      <h2>{t(lang, "incident.events")}</h2>
      {show.events.length === 0 ? (
        <p>{t(lang, "incident.noEvents")}</p>
      ) : (
        <ol class="timeline">
          {show.events.map((e) => (
            <li key={e.id}>
              {typeof e["start_time"] === "string" && <time>{formatTime(e["start_time"], lang)} </time>}
              {e.name ?? e.id}
              {e.description ? ` — ${e.description}` : ""}
            </li>
          ))}
        </ol>
      )}

      <h2>{t(lang, "incident.impacts")}</h2>
      {show.impacts.length === 0 ? (
        <p>{t(lang, "incident.noImpacts")}</p>
      ) : (
        <ul class="impacts" data-testid="impacts">
          {show.impacts.map((i) => (
            <li key={i.id}>
              <code>{typeof i["impact_category"] === "string" ? i["impact_category"] : i.type}</code>
              {typeof i["criticality"] === "number"
                ? ` ${t(lang, "incident.criticality")} ${i["criticality"]}`
                : ""}
              {typeof i["superseded_by_ref"] === "string" ? ` (${t(lang, "incident.superseded")})` : ""}
              {i.description ? ` — ${i.description}` : ""}
            </li>
          ))}
        </ul>
      )}

      <h2>{t(lang, "incident.linked")}</h2>
      {show.links.length === 0 ? (
        <p>{t(lang, "incident.noLinked")}</p>
      ) : (
        <ul class="linked" data-testid="linked">
          {show.links.map((l) => (
            <li key={l.id}>
              <code>{l.type}</code>{" "}
              <a
                href={`/ui/objects/${encodeURIComponent(l.id)}?lang=${lang}`}
                onClick={(e) => {
                  e.preventDefault();
                  props.onOpen(l.id);
                }}
              >
                {l.name ?? l.id}
              </a>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

function TaskUpdateForm(props: {
  api: Api;
  root: string;
  lang: Lang;
  task: TaskView;
  onSent: () => void;
  onError: (e: unknown) => void;
}) {
  const { lang, task } = props;
  const [outcome, setOutcome] = useState(task.outcome === "pending" ? "ongoing" : task.outcome);
  const [progress, setProgress] = useState(String(task.progress ?? ""));
  const [note, setNote] = useState("");
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const field = `task-${task.id}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setSent(false);
    try {
      const p = progress.trim() === "" ? undefined : Number(progress);
      await props.api.updateTask(props.root, task.id, {
        outcome,
        ...(p !== undefined && Number.isInteger(p) ? { progress: p } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setNote("");
      setSent(true);
      props.onSent();
    } catch (err) {
      props.onError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="task-update" onSubmit={submit} data-task={task.id}>
      <h3>
        {t(lang, "incident.update")}: {task.name}
      </h3>
      <label for={`${field}-outcome`}>{t(lang, "incident.outcome")}</label>
      <select
        id={`${field}-outcome`}
        name="outcome"
        value={outcome}
        onChange={(e) => setOutcome((e.target as HTMLSelectElement).value)}
      >
        {OUTCOMES.map((o) => (
          <option value={o}>{outcomeLabel(lang, o)}</option>
        ))}
      </select>
      <label for={`${field}-progress`}>{t(lang, "incident.progress")}</label>
      <input
        id={`${field}-progress`}
        name="progress"
        type="number"
        min={0}
        max={100}
        value={progress}
        onInput={(e) => setProgress((e.target as HTMLInputElement).value)}
      />
      <label for={`${field}-note`}>{t(lang, "incident.note")}</label>
      <input
        id={`${field}-note`}
        name="note"
        value={note}
        onInput={(e) => setNote((e.target as HTMLInputElement).value)}
      />
      <button type="submit" disabled={busy}>
        {t(lang, "incident.send")}
      </button>
      <p role="status">{sent ? t(lang, "incident.sent") : ""}</p>
    </form>
  );
}
