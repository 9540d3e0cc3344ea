import { Interaction, type InteractionItem, type InteractionModeFunction } from 'chart.js';
import type { LmDataset } from './datasets';

declare module 'chart.js' {
  interface InteractionModeMap {
    nearestPerDataset: InteractionModeFunction;
  }
}

/** How far (in pixels along x) a line's nearest point may be from the pointer to enter the tooltip. */
const REACH_PX = 48;

/**
 * A tooltip mode for many lines on different x grids (each series has its own bucket means): for every
 * visible line, its point nearest to the pointer along x (a binary search, then the closer neighbour in
 * pixels). chart.js's `index` mode assumes shared x indices and `x` mode needs a hit within a point radius
 * (Chart.js#9961 asks for this mode).
 */
export const nearestPerDataset: InteractionModeFunction = (chart, e) => {
  const area = chart.chartArea;
  if (
    e.x === null ||
    e.y === null ||
    e.x < area.left ||
    e.x > area.right ||
    e.y < area.top ||
    e.y > area.bottom
  ) {
    return [];
  }
  const target = chart.scales.x.getValueForPixel(e.x);
  if (target === undefined) return [];
  const items: InteractionItem[] = [];
  chart.data.datasets.forEach((ds, datasetIndex) => {
    const { lm, data } = ds as LmDataset;
    if (lm?.part !== 'line' || data.length === 0 || !chart.isDatasetVisible(datasetIndex)) return;
    const elements = chart.getDatasetMeta(datasetIndex).data;
    let index = firstAtOrAfter(data, target);
    if (index === data.length || (index > 0 && target - data[index - 1].x < data[index].x - target)) index--;
    const element = elements[index];
    if (element && Math.abs(element.x - e.x!) <= REACH_PX && Number.isFinite(data[index].y)) {
      items.push({ element, datasetIndex, index });
    }
  });
  return items;
};

export function registerInteraction(): void {
  Interaction.modes.nearestPerDataset = nearestPerDataset;
}

function firstAtOrAfter(data: ReadonlyArray<{ x: number }>, x: number): number {
  let lo = 0;
  let hi = data.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (data[mid].x < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
