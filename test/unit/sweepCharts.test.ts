import { strict as assert } from 'node:assert';
import { expandSweep, parseSweepSpec } from '../../src/sweep/spec';
import type { LawResult } from '../../src/sweep/laws/result';
import {
  attachLaws,
  lawsForPanel,
  curvesCharts,
  resolveView,
  summaryCharts,
  summarySeries,
  sweptParams,
  type CurveSeries,
} from '../../src/sweep/sweepCharts';
import { pendingRecord, type PointRecord, type SweepManifest } from '../../src/sweep/sweepStore';

const target = { experiment: 'Mlp', params: ['width', 'lr', 'act', 'seed'], observables: ['loss', 'modes'] };

function manifest(options: unknown): SweepManifest {
  const spec = parseSweepSpec('s', options, target);
  return {
    schemaVersion: 1,
    id: 'sw1',
    name: 's',
    experiment: 'Mlp',
    file: '/w/mlp.exp.ts',
    spec,
    steps: 100,
    points: expandSweep(spec),
    createdAt: '2026-01-01T00:00:00Z',
    backend: { kind: 'local', workers: 2 },
    coordinator: null,
  };
}

/** Completed points whose loss summary is `loss(overrides, seed)`. */
function completed(
  m: SweepManifest,
  summary: (o: Record<string, unknown>, seed: number) => Record<string, number | null>,
): PointRecord[] {
  return m.points.map((p) => ({
    ...pendingRecord(p.index),
    state: 'completed',
    runId: `run-${p.index}`,
    attempts: 1,
    summary: summary(p.overrides, p.seed),
  }));
}

describe('sweep charts', () => {
  const grid = manifest({
    grid: { width: [16, 64, 256], act: ['relu', 'tanh'] },
    seeds: 3,
    summarize: { loss: 'final', modes: 'min' },
  });

  it('pick x as the first numeric swept parameter, log when it spans a decade; keep a saved view that fits', () => {
    assert.deepEqual(sweptParams(grid), ['width', 'act']);
    assert.deepEqual(resolveView(grid), { x: 'width', colorBy: 'width', xScale: 'log', yScale: 'linear' });
    const saved = { x: 'act', colorBy: 'nope', xScale: 'linear' as const, yScale: 'log' as const };
    assert.deepEqual(resolveView(grid, saved), { x: 'act', colorBy: 'act', xScale: 'linear', yScale: 'log' });
    const linear = manifest({ grid: { lr: [0.1, 0.2, 0.3] }, summarize: { loss: 'final' } });
    assert.equal(resolveView(linear).xScale, 'linear');
    const decaying = completed(linear, (o) => ({ loss: 10 ** -(10 * (o.lr as number)) }));
    assert.equal(resolveView(linear, null, decaying).yScale, 'log', 'summaries spanning 100x: log y');
    const flat = completed(linear, () => ({ loss: 1 }));
    assert.equal(resolveView(linear, null, flat).yScale, 'linear');
    const seedsOnly = manifest({ seeds: 4 });
    assert.equal(resolveView(seedsOnly).x, 'seed');
  });

  it('summarise a series against x, one group per other parameter, mean and sample std over seeds', () => {
    const points = completed(grid, (o, seed) => ({
      loss: (o.width as number) ** -0.5 * (o.act === 'relu' ? 1 : 2) + seed * 0.01,
      'modes[1]': 1,
      'modes[0]': 2,
    }));
    const charts = summaryCharts(grid, points, resolveView(grid));
    assert.deepEqual(
      charts.map((c) => [c.key, c.reducer]),
      [
        ['loss@width', 'final'],
        ['modes[0]@width', 'min'],
        ['modes[1]@width', 'min'],
      ],
    );
    const loss = charts[0];
    assert.deepEqual(
      loss.groups.map((g) => [g.key, g.label, g.colorIndex]),
      [
        ['["relu"]', 'act="relu"', 0],
        ['["tanh"]', 'act="tanh"', 1],
      ],
    );
    const tanh = loss.groups[1].points;
    assert.deepEqual(
      tanh.map((p) => p.x),
      [16, 64, 256],
    );
    assert.equal(tanh[0].n, 3);
    assert.ok(Math.abs(tanh[0].mean - (2 / 4 + 0.01)) < 1e-12);
    // seeds 0, 1, 2 add 0, 0.01, 0.02: sample std 0.01
    assert.ok(Math.abs(tanh[0].std - 0.01) < 1e-12, `std ${tanh[0].std}`);
    assert.deepEqual(
      tanh[0].runs.map((r) => r.runId),
      ['run-3', 'run-4', 'run-5'],
    );
  });

  it('leave out points that did not complete, have no finite value, or are <= 0 on a log axis', () => {
    const points = completed(grid, (o) => ({ loss: o.width === 16 ? 0 : 1 }));
    points[6] = { ...points[6], state: 'failed' };
    points[7] = { ...points[7], summary: { loss: null } };
    const charts = summaryCharts(grid, points, { ...resolveView(grid), yScale: 'log' });
    const loss = charts.find((c) => c.series === 'loss')!;
    // width 16 has mean 0 in both groups: two points hidden on log y
    assert.deepEqual(loss.hidden, { x: 0, y: 2 });
    const relu = loss.groups[0].points;
    assert.deepEqual(
      relu.map((p) => [p.x, p.n]),
      [
        [64, 1],
        [256, 3],
      ],
    );
  });

  it('put a categorical x on indices named by its categories', () => {
    const points = completed(grid, () => ({ loss: 1 }));
    const [loss] = summaryCharts(grid, points, { ...resolveView(grid), x: 'act', xScale: 'linear' });
    assert.equal(loss.numeric, false);
    assert.deepEqual(loss.categories, ['"relu"', '"tanh"']);
    assert.deepEqual(
      loss.groups.map((g) => g.label),
      ['width=16', 'width=64', 'width=256'],
    );
    assert.deepEqual(
      loss.groups[0].points.map((p) => p.x),
      [0, 1],
    );
  });

  it('order vector components numerically after the scalar series', () => {
    const points = completed(grid, () => ({ 'modes[10]': 1, 'modes[2]': 1, loss: 1 }));
    assert.deepEqual(summarySeries(grid, points), ['loss', 'modes[2]', 'modes[10]']);
  });

  it('overlay every run curve, reduced, coloured by the position of its parameter on a log range', () => {
    const m = manifest({ grid: { lr: [0.001, 0.01, 0.1] }, summarize: { loss: 'final' } });
    const points = completed(m, () => ({ loss: 1 }));
    points[1] = { ...points[1], runId: null, state: 'pending' };
    const steps = Float64Array.from({ length: 1000 }, (_, i) => i);
    const series = new Map<number, Map<string, CurveSeries>>(
      [0, 1, 2].map((i) => [i, new Map([['loss', { step: steps, value: steps.map((s) => 1 / (1 + s)) }]])]),
    );
    const [chart] = curvesCharts(m, points, ['loss'], series, resolveView(m), 100);
    assert.deepEqual(chart.colorRange, { min: 0.001, max: 0.1, log: true });
    assert.deepEqual(
      chart.curves.map((c) => [c.index, c.runId, c.t, c.label]),
      [
        [0, 'run-0', 0, 'lr=0.001 seed=0'],
        [2, 'run-2', 1, 'lr=0.1 seed=0'],
      ],
    );
    assert.ok(
      chart.curves[0].x.length <= 104 && chart.curves[0].x.length >= 50,
      `${chart.curves[0].x.length}`,
    );
    assert.equal(chart.curves[0].x[0], 0);
  });

  it('colour by a categorical parameter with a category index and no t', () => {
    const points = completed(grid, () => ({ loss: 1 }));
    const one = new Map([['loss', { step: [0, 1], value: [1, 0.5] }]]);
    const series = new Map(points.map((p) => [p.index, one]));
    const [chart] = curvesCharts(grid, points, ['loss'], series, { ...resolveView(grid), colorBy: 'act' });
    assert.equal(chart.colorRange, null);
    assert.deepEqual(
      [...new Set(chart.curves.map((c) => `${c.t}:${c.colorIndex}:${c.label.split(' ')[0]}`))],
      ['null:0:act="relu"', 'null:1:act="tanh"'],
    );
  });

  it('attach law overlays and scores to the chart they name and nowhere else', () => {
    const points = completed(grid, () => ({ loss: 1 }));
    const charts = summaryCharts(grid, points, resolveView(grid));
    const score = {
      law: 'power',
      label: 'power law',
      chart: 'loss@width',
      detail: 'α 0.5',
      value: 0.1,
      pass: true,
    };
    const other = { ...score, chart: 'loss@act' };
    const overlay = {
      law: 'power',
      label: 'fit',
      group: null,
      x: [16, 256],
      y: [1, 0.25],
      chart: 'loss@width',
    };
    const withLaws = attachLaws(charts, { scores: [score, other], overlays: [overlay] });
    const loss = withLaws.find((c) => c.key === 'loss@width')!;
    assert.deepEqual(loss.scores, [score]);
    assert.deepEqual(loss.overlays, [
      { law: 'power', label: 'fit', group: null, x: [16, 256], y: [1, 0.25] },
    ]);
    assert.ok(
      withLaws.filter((c) => c !== loss).every((c) => c.overlays.length === 0 && c.scores.length === 0),
    );
    assert.equal(attachLaws(charts, null), charts);
  });

  it('turn evaluated laws into badges on the chart of their overlay, curves with bands, and table rows', () => {
    const law: LawResult = {
      name: 'loss vs width',
      law: 'powerLaw',
      score: 'maxRelError',
      tolerance: 0.1,
      value: 0.0421,
      pass: true,
      points: 12,
      excluded: 0,
      problem: null,
      notes: [],
      detail: {},
      overlay: {
        x: 'width',
        y: 'loss',
        logX: true,
        logY: true,
        curves: [{ label: 'fit', x: [16, 256], y: [1, 0.25], lo: [0.9, 0.2], hi: [1.1, 0.3] }],
        points: [],
        lines: [],
      },
    };
    const broken: LawResult = {
      ...law,
      name: 'transfer',
      law: 'lrTransfer',
      score: 'slopeInBand',
      band: [-0.1, 0.1],
      value: null,
      pass: false,
      problem: 'needs 3 widths, has 1',
      overlay: null,
    };
    const laws = lawsForPanel([law, broken]);
    assert.deepEqual(laws.scores, [
      {
        law: 'powerLaw',
        label: 'loss vs width',
        chart: 'loss@width',
        detail: 'max rel err 0.0421 ≤ 0.1',
        value: 0.0421,
        pass: true,
      },
      {
        law: 'lrTransfer',
        label: 'transfer',
        chart: null,
        detail: 'needs 3 widths, has 1',
        value: null,
        pass: false,
      },
    ]);
    assert.deepEqual(laws.overlays, [
      {
        chart: 'loss@width',
        law: 'powerLaw',
        label: 'loss vs width: fit',
        group: null,
        x: [16, 256],
        y: [1, 0.25],
        lo: [0.9, 0.2],
        hi: [1.1, 0.3],
      },
    ]);
    const points = completed(grid, () => ({ loss: 1 }));
    const [loss] = attachLaws(summaryCharts(grid, points, resolveView(grid)), laws);
    assert.equal(loss.scores.length, 1);
    assert.equal(loss.overlays.length, 1);
  });
});
