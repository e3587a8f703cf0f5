// A line chart over time (uPlot): fixed height, as wide as its box, with a spoken summary and
// the numbers as a table for screen readers and for anyone who wants the exact values.
import { useEffect, useId, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import { formatNumber } from './format.ts';
import './time-chart.css';

export interface TimeSeries {
  label: string;
  /** One value per timestamp; null where there is no value (a gap in the line). */
  values: (number | null)[];
  color?: string;
}

export interface TimeChartProps {
  title: string;
  /** Unix seconds, ascending. */
  timestamps: number[];
  series: TimeSeries[];
  /** The unit of the values, shown on the y axis (e.g. "ms", "%"). */
  yLabel?: string;
  /** Height of the plot in pixels (the legend sits below it). */
  height?: number;
  /** How a timestamp reads in the summary and the table (default: date and time). */
  formatTime?: (seconds: number) => string;
}

const PALETTE = ['#0b5cad', '#b42318', '#17663a', '#8a5a00', '#6b3fa0'];
const colorOf = (series: TimeSeries, index: number) => series.color ?? PALETTE[index % PALETTE.length];
/** Room uPlot's legend takes under the plot, reserved so the box never changes height. */
const LEGEND_HEIGHT = 48;
/** Seconds shown either side of a lone point: half a day. */
const SINGLE_POINT_SPAN = 43_200;

function timeLabel(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** "Requests over time, 24 points from … to …. Total peaks at 12, latest 3; …" */
export function chartSummary({
  title,
  timestamps,
  series,
  yLabel,
  formatTime = timeLabel,
}: Pick<TimeChartProps, 'title' | 'timestamps' | 'series' | 'yLabel' | 'formatTime'>): string {
  if (!timestamps.length) return `${title}: no data in this range.`;
  const unit = yLabel ? ` ${yLabel}` : '';
  const parts = series.map((s) => {
    const present = s.values.filter((v): v is number => v !== null);
    if (!present.length) return `${s.label}: no data`;
    const latest = [...s.values].reverse().find((v) => v !== null) ?? null;
    return (
      `${s.label} peaks at ${formatNumber(Math.max(...present), 2)}${unit}, ` +
      `latest ${formatNumber(latest, 2)}${unit}`
    );
  });
  return (
    `${title}, ${timestamps.length} points from ${formatTime(timestamps[0])} to ` +
    `${formatTime(timestamps[timestamps.length - 1])}. ${parts.join('; ')}.`
  );
}

export function TimeChart({ title, timestamps, series, yLabel, height = 200, formatTime = timeLabel }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const headingId = useId();
  const data = useMemo(() => [timestamps, ...series.map((s) => s.values)] as uPlot.AlignedData, [timestamps, series]);
  // The chart is rebuilt only when what it draws changes shape; new numbers go through setData.
  const showPoints = timestamps.length < 40;
  const shape = JSON.stringify([series.map((s, i) => [s.label, colorOf(s, i)]), yLabel, height, showPoints]);

  useEffect(() => {
    const target = box.current;
    if (!target) return;
    const chart = new uPlot(
      {
        width: Math.max(target.clientWidth, 100),
        height,
        series: [
          {},
          ...series.map((s, i) => ({ label: s.label, stroke: colorOf(s, i), width: 2, points: { show: showPoints } })),
        ],
        axes: [{}, { label: yLabel, size: 56 }],
        scales: {
          // One point (a single week or month): uPlot widens a lone time to 86400 / ms seconds, which with
          // timestamps in seconds is about 1,000 days; show half a day either side instead.
          x: {
            range: (u, min, max) => {
              const times = u.data[0];
              return times.length === 1 ? [times[0] - SINGLE_POINT_SPAN, times[0] + SINGLE_POINT_SPAN] : [min, max];
            },
          },
          y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(max ?? 1, 1)] },
        },
      },
      data,
      target,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(target.clientWidth, 100), height }));
    resize.observe(target);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <figure className="chart time-chart" aria-labelledby={headingId}>
      <h3 id={headingId}>{title}</h3>
      <div
        ref={box}
        role="img"
        aria-label={chartSummary({ title, timestamps, series, yLabel, formatTime })}
        style={{ minHeight: height + LEGEND_HEIGHT }}
      />
      <details>
        <summary>Numbers: {title}</summary>
        <div className="table-wrap">
          <table>
            <caption className="sr-only">
              {title}
              {yLabel ? ` (${yLabel})` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                {series.map((s) => (
                  <th scope="col" className="num" key={s.label}>
                    {s.label}
                    {yLabel ? ` (${yLabel})` : ''}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {timestamps.map((t, row) => (
                <tr key={t}>
                  <td>{formatTime(t)}</td>
                  {series.map((s) => (
                    <td className="num" key={s.label}>
                      {formatNumber(s.values[row], 2)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
