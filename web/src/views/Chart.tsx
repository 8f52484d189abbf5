// A stacked bar chart in SVG (no chart library): one bar per day, one
// colour per series, with the numbers in a table beside it for screen
// readers and for anyone who wants them.
export interface Series {
  name: string;
  label: string;
  counts: number[];
}

const COLOURS: Record<string, string> = {
  "TLP:CLEAR": "#8a94a6",
  "TLP:GREEN": "#2e8540",
  "TLP:AMBER": "#d98c00",
  "TLP:AMBER+STRICT": "#b35c00",
  "TLP:RED": "#c0141b",
};

export function StackedBars(props: {
  days: string[];
  series: Series[];
  title: string;
  dayLabel: string;
  tableLabel: string;
}) {
  const { days, series } = props;
  const totals = days.map((_, i) => series.reduce((sum, s) => sum + (s.counts[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const width = 600;
  const height = 160;
  const bar = width / Math.max(1, days.length);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height + 4}`} role="img" aria-label={props.title} class="bars">
        {days.map((day, i) => {
          let y = height;
          return (
            <g key={day}>
              {series.map((s) => {
                const h = ((s.counts[i] ?? 0) / max) * height;
                y -= h;
                return h > 0 ? (
                  <rect
                    x={i * bar + 1}
                    y={y}
                    width={Math.max(1, bar - 2)}
                    height={h}
                    fill={COLOURS[s.name] ?? "#0b5cab"}
                  >
                    <title>{`${day} ${s.label}: ${s.counts[i]}`}</title>
                  </rect>
                ) : null;
              })}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul class="legend">
          {series.map((s) => (
            <li key={s.name}>
              <span
                class={`swatch swatch-${s.name.replace(/[^A-Za-z]/g, "").toLowerCase()}`}
                aria-hidden="true"
              />
              {s.label}: {s.counts.reduce((a, b) => a + b, 0)}
            </li>
          ))}
        </ul>
        <details>
          <summary>{props.tableLabel}</summary>
          <table>
            <thead>
              <tr>
                <th scope="col">{props.dayLabel}</th>
                {series.map((s) => (
                  <th scope="col" key={s.name}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {days.map((day, i) => (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  {series.map((s) => (
                    <td key={s.name}>{s.counts[i] ?? 0}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}
