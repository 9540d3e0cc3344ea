import type { Chart, ChartOptions, LegendItem, Scale, TooltipItem } from 'chart.js';
import type { ChartView, RunInfo, XKind } from '../../protocol/webview';
import { rgba } from './colors';
import type { LegendGroup, LmDataset } from './datasets';
import { formatInteger, formatSeconds, formatTick, formatValue } from './format';
import type { Theme } from './theme';

export interface OptionsContext {
  theme: Theme;
  view: ChartView;
  /** The x the data is drawn against (tau may fall back to step). */
  xKind: XKind;
  runs: readonly RunInfo[];
  groups: () => readonly LegendGroup[];
  hiddenGroups: ReadonlySet<string>;
  onLegendClick: (group: string) => void;
  onRangeChange: (chart: Chart) => void;
}

export const X_TITLES: Record<XKind, string> = { step: 'step', tau: 'τ = lr · step', wall: 'wall time (s)' };

/** chart.js options for one card: no animation, pre-parsed sorted data, x zoom/pan, themed axes. */
export function chartOptions(ctx: OptionsContext): ChartOptions<'line'> {
  const { theme, view } = ctx;
  const font = { family: theme.fontFamily, size: Math.max(10, theme.fontSize - 2) };
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearestPerDataset', intersect: false, axis: 'x' },
    layout: { padding: { top: 2, right: 12, left: 2, bottom: 0 } },
    scales: {
      x: axis(ctx, 'x', view.xScale === 'log', font),
      y: axis(ctx, 'y', view.yScale === 'log', font),
    },
    plugins: {
      legend: legend(ctx, font),
      tooltip: tooltip(ctx, font),
      zoom: {
        zoom: {
          mode: 'x',
          wheel: { enabled: true, modifierKey: 'ctrl' },
          drag: {
            enabled: true,
            backgroundColor: rgba(theme.focus, 0.12),
            borderColor: rgba(theme.focus, 0.8),
            borderWidth: 1,
          },
          onZoomComplete: ({ chart }) => ctx.onRangeChange(chart),
        },
        pan: {
          enabled: true,
          mode: 'x',
          modifierKey: 'shift',
          onPanComplete: ({ chart }) => ctx.onRangeChange(chart),
        },
      },
    },
  };
}

type Font = { family: string; size: number };

/** How every chart axis looks in a theme (run and sweep panels): grid, border and tick style. */
export function axisLook(theme: Theme, font: Font) {
  const hc = theme.kind === 'high-contrast';
  return {
    grid: { color: rgba(theme.foreground, hc ? 0.3 : 0.08), tickLength: 4 },
    border: { color: rgba(theme.foreground, hc ? 0.8 : 0.25) },
    ticks: { color: rgba(theme.muted), font, maxRotation: 0, autoSkipPadding: 18 },
  };
}

function axis(ctx: OptionsContext, id: 'x' | 'y', log: boolean, font: Font) {
  const { theme } = ctx;
  const look = axisLook(theme, font);
  const range = id === 'x' ? ctx.view.range : null;
  return {
    type: log ? ('logarithmic' as const) : ('linear' as const),
    min: range?.min,
    max: range?.max,
    title: { display: id === 'x', text: X_TITLES[ctx.xKind], color: rgba(theme.muted), font, padding: 2 },
    grid: look.grid,
    border: look.border,
    ticks: {
      ...look.ticks,
      callback: (value: number | string, _index: number, ticks: Array<{ value: number }>) =>
        formatTick(Number(value), log, Math.max(...ticks.map((t) => Math.abs(t.value)))),
    },
    // A fixed minimum width for the y axis lines up the plot areas of cards stacked in a column.
    afterFit: id === 'y' ? (scale: Scale) => void (scale.width = Math.max(scale.width, 54)) : undefined,
  };
}

function legend(ctx: OptionsContext, font: Font) {
  const { theme } = ctx;
  return {
    position: 'top' as const,
    align: 'start' as const,
    labels: {
      color: rgba(theme.foreground),
      font,
      usePointStyle: true,
      pointStyle: 'line' as const,
      pointStyleWidth: 22,
      boxHeight: 6,
      padding: 10,
      generateLabels: (): LegendItem[] =>
        ctx.groups().map((g, index) => ({
          text: g.label,
          fillStyle: g.color,
          strokeStyle: g.color,
          fontColor: rgba(theme.foreground),
          lineWidth: theme.kind === 'high-contrast' ? 3 : 2,
          lineDash: g.dash,
          pointStyle: 'line',
          hidden: ctx.hiddenGroups.has(g.key),
          index,
        })),
    },
    onClick: (_e: unknown, item: LegendItem) => {
      const group = ctx.groups()[item.index ?? -1];
      if (group) ctx.onLegendClick(group.key);
    },
  };
}

function tooltip(ctx: OptionsContext, font: Font) {
  const { theme } = ctx;
  return {
    backgroundColor: rgba(theme.tooltipBackground),
    titleColor: rgba(theme.tooltipForeground),
    bodyColor: rgba(theme.tooltipForeground),
    borderColor: rgba(theme.tooltipBorder),
    borderWidth: 1,
    cornerRadius: 3,
    padding: 8,
    boxPadding: 4,
    titleFont: { ...font, weight: 'bold' as const },
    bodyFont: font,
    // The vertical order of the lines at the pointer.
    itemSort: (a: TooltipItem<'line'>, b: TooltipItem<'line'>) => b.parsed.y! - a.parsed.y!,
    callbacks: {
      title: (items: TooltipItem<'line'>[]) => (items.length ? xTitle(items[0].parsed.x!, ctx) : ''),
      label: (item: TooltipItem<'line'>) => valueLabel(item),
      labelColor: (item: TooltipItem<'line'>) => {
        const ds = item.dataset as LmDataset;
        const color = String(ds.borderColor);
        const dash = (ds.borderDash as [number, number] | undefined) ?? [0, 0];
        return { borderColor: color, backgroundColor: color, borderWidth: 2, borderDash: dash };
      },
    },
  };
}

/** "step 1,234", "step ≈ 1,234" for a bucket mean, "τ = 12.3 · step ≈ 1,234", "42 s wall". */
function xTitle(x: number, ctx: OptionsContext): string {
  switch (ctx.xKind) {
    case 'step':
      return Number.isInteger(x) ? `step ${formatInteger(x)}` : `step ≈ ${formatInteger(x)}`;
    case 'tau': {
      const lrs = new Set(ctx.runs.map((r) => r.lr));
      const lr = lrs.size === 1 ? [...lrs][0] : null;
      return lr ? `τ = ${formatValue(x)} · step ≈ ${formatInteger(x / lr)}` : `τ = ${formatValue(x)}`;
    }
    case 'wall':
      return `${formatSeconds(x)} wall`;
    default:
      return ctx.xKind satisfies never;
  }
}

/** "modes[0]: 0.4123" and, for a bucket or a band, its extent: "saxe[0] (theory): 0.41  [0.37, 0.45]". */
function valueLabel(item: TooltipItem<'line'>): string {
  const { lm } = item.dataset as LmDataset;
  const value = `${lm.label}: ${formatValue(item.parsed.y!)}`;
  const { lo, hi } = lm.slice;
  if (!lo || !hi || lo[item.dataIndex] === hi[item.dataIndex]) return value;
  return `${value}  [${formatValue(lo[item.dataIndex], 3)}, ${formatValue(hi[item.dataIndex], 3)}]`;
}
