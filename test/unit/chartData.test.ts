import assert from 'node:assert/strict';
import type { PredictionScore } from '../../src/protocol/score';
import { DEFAULT_VIEW, type ChartView, type SeriesSlice } from '../../src/protocol/webview';
import { buildCharts, valuesAtSteps, type ChartRun } from '../../src/series/chartData';
import { smoothEma } from '../../src/series/smooth';
import type { SeriesData } from '../../src/store/seriesData';

/** A series sampled at `steps` with wall = step / 100 seconds. */
function series(steps: number[], value: (step: number) => number): SeriesData {
  return {
    step: Float64Array.from(steps),
    value: Float64Array.from(steps, value),
    wall: Float64Array.from(steps, (s) => s / 100),
  };
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

function score(name: string, observable: string, pass: boolean): PredictionScore {
  return { name, observable, score: 'r2', tolerance: 0.99, value: pass ? 0.999 : 0.5, pass, series: [] };
}

/** A deep-linear-like run: loss (with a value <= 0), modes[0..2] with a `saxe` prediction and band on each. */
function deepLinearRun(id: string, lr: number | null, steps = 11): ChartRun {
  const map = new Map<string, SeriesData>();
  map.set(
    'loss',
    series(range(steps), (s) => (s === 3 ? 0 : 1 / (s + 1))),
  );
  for (let k = 0; k < 3; k++) {
    map.set(
      `modes[${k}]`,
      series(range(steps), (s) => (k + 1) * (1 - Math.exp(-s / 4))),
    );
    map.set(
      `modes[${k}]~saxe`,
      series(range(steps), (s) => (k + 1) * (1 - Math.exp(-s / 4.1))),
    );
    map.set(
      `modes[${k}]~saxe:lo`,
      series(range(steps), (s) => 0.9 * (k + 1) * (1 - Math.exp(-s / 4.1))),
    );
    map.set(
      `modes[${k}]~saxe:hi`,
      series(range(steps), (s) => 1.1 * (k + 1) * (1 - Math.exp(-s / 4.1))),
    );
  }
  return {
    info: { id, lr },
    series: map,
    observables: ['loss', 'modes'],
    agreement: [score('saxe', 'modes', true), score('plateau', 'loss', false)],
  };
}

const view = (v: Partial<ChartView>): ChartView => ({ ...DEFAULT_VIEW, ...v });
const slicesOf = (slices: SeriesSlice[], role: SeriesSlice['role']) => slices.filter((s) => s.role === role);

describe('buildCharts', () => {
  it('makes one chart per observable, in order, with the default view when none is given', () => {
    const charts = buildCharts({ runs: [deepLinearRun('a', 0.1)] }, {});
    assert.deepEqual(
      charts.map((c) => c.observable),
      ['loss', 'modes'],
    );
    assert.deepEqual(charts[0].view, DEFAULT_VIEW);
    assert.equal(charts[0].decimated, null, 'eleven samples are drawn as they are');
  });

  it('draws each component of a vector observable and each prediction with its band', () => {
    const [, modes] = buildCharts({ runs: [deepLinearRun('a', 0.1)] }, {});
    const measured = slicesOf(modes.slices, 'measured');
    assert.deepEqual(
      measured.map((s) => [s.series, s.component]),
      [
        ['modes[0]', 0],
        ['modes[1]', 1],
        ['modes[2]', 2],
      ],
    );
    assert.deepEqual(measured[1].x, range(11));
    assert.equal(measured[1].y[4], 2 * (1 - Math.exp(-1)));
    assert.equal(measured[1].lo, undefined, 'no envelope without reduction');
    const predictions = slicesOf(modes.slices, 'prediction');
    assert.equal(predictions.length, 3);
    assert.equal(predictions[2].series, 'modes[2]~saxe');
    assert.deepEqual(
      predictions[2].lo,
      range(11).map((s) => 0.9 * 3 * (1 - Math.exp(-s / 4.1))),
    );
    assert.deepEqual(
      predictions[2].hi,
      range(11).map((s) => 1.1 * 3 * (1 - Math.exp(-s / 4.1))),
    );
  });

  it('filters the agreement to the chart observable', () => {
    const [loss, modes] = buildCharts({ runs: [deepLinearRun('a', 0.1)] }, {});
    assert.deepEqual(
      loss.agreement.map((a) => [a.run, a.scores.map((s) => s.name)]),
      [['a', ['plateau']]],
    );
    assert.deepEqual(
      modes.agreement.map((a) => a.scores.map((s) => s.name)),
      [['saxe']],
    );
  });

  it('counts values <= 0 hidden on log axes per axis', () => {
    const [loss] = buildCharts(
      { runs: [deepLinearRun('a', 0.1)] },
      { loss: view({ xScale: 'log', yScale: 'log' }) },
    );
    assert.deepEqual(loss.hidden, { x: 1, y: 1 }, 'step 0 on x; the loss 0 at step 3 on y');
    const measured = slicesOf(loss.slices, 'measured')[0];
    assert.deepEqual(measured.x, [1, 2, 4, 5, 6, 7, 8, 9, 10]);
    const linear = buildCharts({ runs: [deepLinearRun('a', 0.1)] }, {})[0];
    assert.deepEqual(linear.hidden, { x: 0, y: 0 });
  });

  it('draws tau = lr * step when the run has an lr, and wall seconds on request', () => {
    const charts = buildCharts(
      { runs: [deepLinearRun('a', 0.5)] },
      { loss: view({ xKind: 'tau' }), modes: view({ xKind: 'wall' }) },
    );
    assert.deepEqual(
      slicesOf(charts[0].slices, 'measured')[0].x,
      range(11).map((s) => 0.5 * s),
    );
    assert.equal(charts[0].xKindDrawn, undefined);
    assert.deepEqual(
      slicesOf(charts[1].slices, 'measured')[0].x,
      range(11).map((s) => s / 100),
    );
  });

  it('falls back from tau to the step, and says so, when a run has no lr', () => {
    const runs = [deepLinearRun('a', 0.5), deepLinearRun('b', null)];
    const [loss] = buildCharts({ runs }, { loss: view({ xKind: 'tau' }) });
    assert.equal(loss.xKindDrawn, 'step');
    assert.equal(loss.view.xKind, 'tau', 'the requested view is echoed unchanged');
    assert.deepEqual(slicesOf(loss.slices, 'measured')[0].x, range(11));
  });

  it('restricts to the visible range, keeping the nearest sample outside each side', () => {
    const [loss] = buildCharts(
      { runs: [deepLinearRun('a', 0.1)] },
      { loss: view({ range: { min: 4, max: 6 } }) },
    );
    assert.deepEqual(slicesOf(loss.slices, 'measured')[0].x, [3, 4, 5, 6, 7]);
  });

  it('smooths the full-resolution series before bucketing, keeping the raw trace when asked', () => {
    const run = deepLinearRun('a', 0.1, 5000);
    const [loss] = buildCharts(
      { runs: [run] },
      { loss: view({ smoothing: 0.9, showRaw: true, range: { min: 4000, max: 4999 } }) },
      100,
    );
    const smoothed = slicesOf(loss.slices, 'smoothed')[0];
    const full = smoothEma(run.series.get('loss')!.value, 0.9);
    assert.equal(
      smoothed.y.at(-1),
      full[4999],
      'the last point is the full-history EMA, not one of the range',
    );
    assert.equal(smoothed.lo, undefined);
    assert.equal(slicesOf(loss.slices, 'measured').length, 1);
    const [hidden] = buildCharts({ runs: [run] }, { loss: view({ smoothing: 0.9, showRaw: false }) }, 100);
    assert.deepEqual(
      hidden.slices.map((s) => s.role),
      ['smoothed'],
    );
  });

  it('smooths in log space on a log y axis', () => {
    const run = deepLinearRun('a', 0.1, 50);
    const [loss] = buildCharts({ runs: [run] }, { loss: view({ smoothing: 0.8, yScale: 'log' }) });
    const smoothed = slicesOf(loss.slices, 'smoothed')[0];
    const full = smoothEma(run.series.get('loss')!.value, 0.8, { log: true });
    const expected = [...full].filter((v) => !Number.isNaN(v));
    assert.equal(smoothed.y.length, expected.length, 'the skipped loss 0 at step 3 is not drawn');
    smoothed.y.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-12 * expected[i], `point ${i}`));
  });

  it('reports decimation and gives reduced measured series a min/max envelope', () => {
    const [loss, modes] = buildCharts({ runs: [deepLinearRun('a', 0.1, 5000)] }, {}, 100);
    assert.deepEqual(loss.decimated, { from: 5000, to: slicesOf(loss.slices, 'measured')[0].x.length });
    const m = slicesOf(loss.slices, 'measured')[0];
    assert.ok(m.x.length <= 102 && m.lo !== undefined && m.hi !== undefined);
    assert.equal(modes.decimated?.from, 6 * 5000, 'three components and three predictions');
  });

  it('overlays several runs in the given order', () => {
    const [loss] = buildCharts({ runs: [deepLinearRun('a', 0.1), deepLinearRun('b', 0.2)] }, {});
    assert.deepEqual(
      loss.slices.map((s) => s.run),
      ['a', 'b'],
    );
  });

  it('is deterministic', () => {
    const runs = [deepLinearRun('a', 0.1, 3000)];
    const views = { modes: view({ yScale: 'log', smoothing: 0.5 }) };
    assert.deepEqual(buildCharts({ runs }, views, 200), buildCharts({ runs }, views, 200));
  });
});

describe('valuesAtSteps', () => {
  it('samples a series at other steps, NaN where it has none, the last value of a repeated step', () => {
    const got = valuesAtSteps(Float64Array.from([0, 1, 2, 3]), {
      step: Float64Array.from([1, 1, 3, 4]),
      value: Float64Array.from([10, 11, 30, 40]),
      wall: new Float64Array(4),
    });
    assert.deepEqual([...got], [NaN, 11, NaN, 30]);
  });
});
