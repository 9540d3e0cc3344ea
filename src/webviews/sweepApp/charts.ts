import type { ChartDataset, ChartOptions, TooltipItem } from 'chart.js';
import type { CurvesChart, SummaryChart, SweepView } from '../../protocol/sweepView';
import { axisLook } from '../app/chartOptions';
import { mix, rgba, type Rgba } from '../app/colors';
import { formatInteger, formatTick, formatValue } from '../app/format';
import { isDark, type Theme } from '../app/theme';

/** One drawn point; `run` is the run a click on it opens. */
export interface SweepPoint {
  x: number;
  y: number;
  run?: string | null;
  text?: string;
}

/** What each dataset is, for clicks, tooltips and tests. */
export interface SweepMeta {
  kind: 'mean' | 'band' | 'runs' | 'law' | 'lawBand' | 'curve';
  label: string;
}

export type SweepDataset = ChartDataset<'line', SweepPoint[]> & { sweep: SweepMeta };

/** The colour of group `index` (the run panel's palette, in its order). */
export function groupColor(theme: Theme, index: number): Rgba {
  return theme.palette[index % theme.palette.length];
}

/** A colour along a sequential scale through the theme's blue, green and orange: t = 0 is blue, 1 orange. */
export function rampColor(theme: Theme, t: number): Rgba {
  const [blue, orange, green] = [theme.palette[0], theme.palette[1], theme.palette[2]];
  const u = Math.min(1, Math.max(0, t));
  return u < 0.5 ? mix(blue, green, u * 2) : mix(green, orange, (u - 0.5) * 2);
}

/** The theory colour: the foreground, toned toward the background, as the run panel draws theory curves. */
function lawColor(theme: Theme): Rgba {
  return mix(theme.foreground, theme.background, isDark(theme) ? 0.15 : 0.2);
}

/**
 * A summary chart's datasets: per group a seed band (mean ± std, filled), the mean line with its points and
 * every run's value as a small dot; then each law overlay as a dashed curve with its band.
 */
export function summaryDatasets(chart: SummaryChart, theme: Theme, view: SweepView): SweepDataset[] {
  const datasets: SweepDataset[] = [];
  const log = view.yScale === 'log';
  const hc = theme.kind === 'high-contrast';
  for (const group of chart.groups) {
    const color = groupColor(theme, group.colorIndex);
    const name = group.label || chart.series;
    const hasBand = group.points.some((p) => p.std > 0);
    if (hasBand) {
      const lower = group.points.map((p) => ({
        x: p.x,
        y: log && p.mean - p.std <= 0 ? p.mean / 10 : p.mean - p.std,
      }));
      const upper = group.points.map((p) => ({ x: p.x, y: p.mean + p.std }));
      datasets.push(band(lower, `${name} −σ`, color, false));
      datasets.push(band(upper, `${name} +σ`, color, '-1'));
    }
    datasets.push({
      sweep: { kind: 'mean', label: name },
      label: name,
      data: group.points.map((p) => ({
        x: p.x,
        y: p.mean,
        run: p.runs[0]?.runId ?? null,
        text: `${formatValue(p.mean)}${p.n > 1 ? ` ± ${formatValue(p.std, 3)} (${p.n} seeds)` : ''}`,
      })),
      borderColor: rgba(color),
      backgroundColor: rgba(color),
      borderWidth: hc ? 3 : 2,
      pointRadius: 3.5,
      pointHoverRadius: 5,
    });
    datasets.push({
      sweep: { kind: 'runs', label: `${name} runs` },
      label: `${name} runs`,
      data: group.points.flatMap((p) =>
        p.runs.map((r) => ({ x: p.x, y: r.y, run: r.runId, text: `seed ${r.seed}: ${formatValue(r.y)}` })),
      ),
      showLine: false,
      borderColor: rgba(color, 0.9),
      backgroundColor: rgba(color, 0.35),
      pointRadius: 2.5,
      pointHoverRadius: 4,
    });
  }
  const theory = lawColor(theme);
  for (const overlay of chart.overlays) {
    const tint = overlay.group
      ? mix(
          groupColor(theme, chart.groups.find((g) => g.key === overlay.group)?.colorIndex ?? 0),
          theory,
          0.5,
        )
      : theory;
    if (overlay.lo && overlay.hi) {
      const lo = overlay.x.map((x, i) => ({ x, y: overlay.lo![i] }));
      const hi = overlay.x.map((x, i) => ({ x, y: overlay.hi![i] }));
      datasets.push({
        ...band(lo, `${overlay.label} lo`, tint, false),
        sweep: { kind: 'lawBand', label: '' },
      });
      datasets.push({
        ...band(hi, `${overlay.label} hi`, tint, '-1'),
        sweep: { kind: 'lawBand', label: '' },
      });
    }
    datasets.push({
      sweep: { kind: 'law', label: overlay.label },
      label: overlay.label,
      data: overlay.x.map((x, i) => ({ x, y: overlay.y[i] })),
      borderColor: rgba(tint),
      backgroundColor: rgba(tint),
      borderDash: [6, 4],
      borderWidth: 2,
      pointRadius: 0,
    });
  }
  return datasets;
}

function band(data: SweepPoint[], label: string, color: Rgba, fill: false | '-1'): SweepDataset {
  return {
    sweep: { kind: 'band', label },
    label,
    data,
    borderWidth: 0,
    borderColor: rgba(color, 0),
    backgroundColor: rgba(color, 0.18),
    pointRadius: 0,
    pointHoverRadius: 0,
    fill,
  };
}

/** Every run's curve, coloured along the ramp by its parameter (or by category). */
export function curveDatasets(chart: CurvesChart, theme: Theme): SweepDataset[] {
  return chart.curves.map((c) => {
    const color = c.t === null ? groupColor(theme, c.colorIndex) : rampColor(theme, c.t);
    return {
      sweep: { kind: 'curve', label: c.label },
      label: c.label,
      data: c.x.map((x, i) => ({ x, y: c.y[i], run: c.runId })),
      borderColor: rgba(color, c.state === 'running' ? 0.5 : 0.9),
      backgroundColor: rgba(color),
      borderWidth: theme.kind === 'high-contrast' ? 2.5 : 1.5,
      borderDash: c.state === 'running' ? [3, 3] : undefined,
      // A curve of one sample is a dot.
      pointRadius: c.x.length === 1 ? 2.5 : 0,
      pointHoverRadius: 3,
    };
  });
}

export interface AxisSpec {
  title: string;
  log: boolean;
  /** Category names for an x of indices. */
  categories?: string[] | null;
}

/** chart.js options shared by both kinds of card: no animation, themed axes, click to open a run. */
export function sweepChartOptions(
  theme: Theme,
  x: AxisSpec,
  y: AxisSpec,
  onOpen: (run: string) => void,
): ChartOptions<'line'> {
  const font = { family: theme.fontFamily, size: Math.max(10, theme.fontSize - 2) };
  const look = axisLook(theme, font);
  const axis = (spec: AxisSpec, id: 'x' | 'y') => ({
    type: spec.log ? ('logarithmic' as const) : ('linear' as const),
    title: { display: true, text: spec.title, color: rgba(theme.muted), font, padding: 2 },
    grid: look.grid,
    border: look.border,
    ticks: {
      ...look.ticks,
      ...(spec.categories ? { stepSize: 1 } : {}),
      callback: (value: number | string, _i: number, ticks: Array<{ value: number }>) => {
        const v = Number(value);
        if (spec.categories) return Number.isInteger(v) ? (spec.categories[v] ?? '') : '';
        const max = Math.max(...ticks.map((t) => Math.abs(t.value)));
        // A log axis within one decade may hold fewer than two 1-2-5 ticks: label its ticks as a linear axis would.
        const sparse = spec.log && ticks.filter((t) => formatTick(t.value, true, max) !== '').length < 2;
        return formatTick(v, spec.log && !sparse, max);
      },
    },
    ...(spec.categories ? { min: -0.5, max: spec.categories.length - 0.5 } : {}),
    // On a log axis keep the 1-2-5 ticks when there are two or more (chart.js's auto-skip would otherwise
    // drop some of them and keep unlabelled ones); a narrower axis keeps every tick, labelled linearly.
    afterBuildTicks: spec.log
      ? (scale: { ticks: Array<{ value: number }> }) => {
          const max = Math.max(...scale.ticks.map((t) => Math.abs(t.value)));
          const labelled = scale.ticks.filter((t) => formatTick(t.value, true, max) !== '');
          if (labelled.length >= 2) scale.ticks = labelled;
        }
      : undefined,
    afterFit:
      id === 'y' ? (scale: { width: number }) => void (scale.width = Math.max(scale.width, 54)) : undefined,
  });
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', intersect: false },
    layout: { padding: { top: 2, right: 12, left: 2, bottom: 0 } },
    scales: { x: axis(x, 'x'), y: axis(y, 'y') },
    onHover: (event, elements) => {
      const target = event.native?.target as HTMLElement | undefined;
      if (target) target.style.cursor = elements.length ? 'pointer' : 'default';
    },
    onClick: (event, _elements, chart) => {
      // Everything under the pointer, else (a thin curve) the nearest element.
      const native = event as unknown as Event;
      let hits = chart.getElementsAtEventForMode(native, 'point', { intersect: true }, false);
      if (hits.length === 0)
        hits = chart.getElementsAtEventForMode(native, 'nearest', { intersect: false }, false);
      // A run's own dot or curve before a group's mean (which opens the group's first seed).
      const rank = (kind: string) => (kind === 'runs' || kind === 'curve' ? 0 : kind === 'mean' ? 1 : 2);
      const found = hits
        .map((hit) => {
          const ds = chart.data.datasets[hit.datasetIndex] as SweepDataset;
          return { rank: rank(ds.sweep.kind), run: ds.data[hit.index]?.run };
        })
        .filter((f) => f.run)
        .sort((a, b) => a.rank - b.rank)[0];
      if (found?.run) onOpen(found.run);
    },
    plugins: {
      legend: { display: false },
      tooltip: {
        backgroundColor: rgba(theme.tooltipBackground),
        titleColor: rgba(theme.tooltipForeground),
        bodyColor: rgba(theme.tooltipForeground),
        borderColor: rgba(theme.tooltipBorder),
        borderWidth: 1,
        cornerRadius: 3,
        padding: 8,
        titleFont: { ...font, weight: 'bold' as const },
        bodyFont: font,
        filter: (item: TooltipItem<'line'>) => {
          const kind = (item.dataset as SweepDataset).sweep.kind;
          return kind !== 'band' && kind !== 'lawBand';
        },
        callbacks: {
          title: (items: TooltipItem<'line'>[]) => {
            if (!items.length) return '';
            const v = items[0].parsed.x!;
            if (x.categories) return `${x.title} = ${x.categories[Math.round(v)] ?? ''}`;
            return x.title === 'step' ? `step ${formatInteger(v)}` : `${x.title} = ${formatValue(v)}`;
          },
          label: (item: TooltipItem<'line'>) => {
            const ds = item.dataset as SweepDataset;
            const point = ds.data[item.dataIndex];
            return `${ds.sweep.label}: ${point?.text ?? formatValue(item.parsed.y!)}`;
          },
        },
      },
    },
  };
}
