import assert from 'node:assert/strict';
import { alignSeries } from '../../src/series/align';
import { defaultTolerance, scorePrediction, scoreSeries } from '../../src/series/agreement';

const at = (step: number[], value: number[]) => ({ step, value });
const steps = (n: number) => Array.from({ length: n }, (_, i) => i);

function assertClose(actual: number | null, expected: number, tol: number): void {
  assert.ok(actual !== null, `expected ${expected}, got null`);
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected} +- ${tol}, got ${actual}`);
}

describe('alignSeries', () => {
  it('keeps only the steps present in both series, in ascending order', () => {
    const pairs = alignSeries(
      at([0, 10, 20, 30, 40], [1, 2, 3, 4, 5]),
      at([20, 30, 40, 50, 60], [7, 8, 9, 10, 11]),
    );
    assert.deepEqual(pairs, { step: [20, 30, 40], measured: [3, 4, 5], predicted: [7, 8, 9] });
  });

  it('keeps the last value of a repeated step in either series', () => {
    const pairs = alignSeries(at([0, 1, 1, 2], [5, 6, 60, 7]), at([1, 2, 2, 3], [1, 2, 3, 4]));
    assert.deepEqual(pairs, { step: [1, 2], measured: [60, 7], predicted: [1, 3] });
  });

  it('skips a common step where either value is not finite', () => {
    const pairs = alignSeries(at([0, 1, 2, 3], [1, NaN, 3, 4]), at([0, 1, 2, 3], [1, 2, Infinity, 4]));
    assert.deepEqual(pairs.step, [0, 3]);
  });

  it('accepts typed arrays', () => {
    const pairs = alignSeries(
      { step: Float64Array.from([0, 1]), value: Float64Array.from([2, 3]) },
      { step: Int32Array.from([1]), value: Float32Array.from([4]) },
    );
    assert.deepEqual(pairs, { step: [1], measured: [3], predicted: [4] });
  });

  it('rejects an unsorted series, naming the offending step', () => {
    assert.throws(() => alignSeries(at([0, 2, 1], [1, 2, 3]), at([0], [1])), /step 1 comes after 2/);
  });

  it('rejects a series whose steps and values differ in length', () => {
    assert.throws(() => alignSeries(at([0, 1], [1]), at([0], [1])), /2 steps but 1 values/);
  });
});

describe('scoreSeries', () => {
  const y = [0.12, 0.5, 1.3, 2.9, 4.1, 4.8];
  const p = [0.1, 0.6, 1.2, 3.0, 4.0, 4.9];

  it('computes R^2 about the measured mean (numpy: 0.99732503007572)', () => {
    const score = scoreSeries('r2', at(steps(6), y), at(steps(6), p), 0.99);
    assertClose(score.value, 0.99732503007572, 1e-13);
    assert.equal(score.pass, true);
    assert.equal(score.points, 6);
  });

  it('computes R^2 = 1 - 0.19 / 10 for a hand-worked case and fails a tolerance above it', () => {
    const score = scoreSeries(
      'r2',
      at(steps(5), [1, 2, 3, 4, 5]),
      at(steps(5), [1.1, 1.9, 3.2, 3.8, 5.3]),
      0.99,
    );
    assertClose(score.value, 0.981, 1e-13);
    assert.equal(score.pass, false);
  });

  it('scores R^2 only on the overlapping steps', () => {
    const measured = at([0, 10, 20, 30, 40], [100, 1, 2, 3, 4]);
    const predicted = at([10, 20, 30, 40, 50], [1, 2, 3, 5, -100]);
    const score = scoreSeries('r2', measured, predicted, 0.5);
    assertClose(score.value, 1 - 1 / 5, 1e-14);
    assert.equal(score.points, 4);
  });

  it('defines R^2 of a constant measured series as 1 for an exact match and 0 otherwise', () => {
    assert.equal(scoreSeries('r2', at([0, 1], [2, 2]), at([0, 1], [2, 2]), 0.99).value, 1);
    assert.equal(scoreSeries('r2', at([0, 1], [2, 2]), at([0, 1], [2, 2.1]), 0.99).value, 0);
    assert.equal(scoreSeries('r2', at([0], [0.3]), at([0], [0.3]), 0.99).value, 1);
  });

  it('computes R^2 of huge values without overflow', () => {
    const score = scoreSeries(
      'r2',
      at(
        steps(5),
        [1, 2, 3, 4, 5].map((v) => v * 1e200),
      ),
      at(
        steps(5),
        [1.1, 1.9, 3.2, 3.8, 5.3].map((v) => v * 1e200),
      ),
      0,
    );
    assertClose(score.value, 0.981, 1e-12);
  });

  it('computes log-space R^2 (numpy: 0.9926816369128213)', () => {
    const score = scoreSeries('r2log', at(steps(6), y), at(steps(6), p), 0.99);
    assertClose(score.value, 0.9926816369128213, 1e-13);
  });

  it('leaves out of log-space R^2 the pairs where either value is <= 0', () => {
    const measured = at(steps(6), [-1, 1, 10, 0, 100, 1000]);
    const predicted = at(steps(6), [1, 1, 10, 5, 100, 100]);
    const score = scoreSeries('r2log', measured, predicted, 0.99);
    assertClose(score.value, 1 - 1 / 5, 1e-14);
    assert.equal(score.points, 4);
    assert.equal(score.pass, false);
  });

  it('computes the max relative error against the prediction', () => {
    const score = scoreSeries('maxRelError', at(steps(6), y), at(steps(6), p), 0.05);
    assertClose(score.value, 0.2, 1e-15);
    assert.equal(score.pass, false);
    const close = scoreSeries('maxRelError', at([0, 1], [1.01, -2.04]), at([0, 1], [1, -2]), 0.05);
    assertClose(close.value, 0.02, 1e-15);
    assert.equal(close.pass, true);
  });

  it('divides by the floor 1e-12 max|p| where the prediction is 0', () => {
    const score = scoreSeries('maxRelError', at([0, 1], [1e-3, 1e6]), at([0, 1], [0, 1e6]), 0.05);
    assertClose(score.value, 1e-3 / 1e-6, 1e-9);
  });

  it('scores an exact match of an all-zero prediction as 0 relative error', () => {
    assert.equal(scoreSeries('maxRelError', at([0, 1], [0, 0]), at([0, 1], [0, 0]), 0.05).value, 0);
  });

  it('clamps an infinite relative error to Number.MAX_VALUE', () => {
    const score = scoreSeries('maxRelError', at([0], [1]), at([0], [0]), 0.05);
    assert.equal(score.value, Number.MAX_VALUE);
    assert.equal(score.pass, false);
  });

  it('takes the ratio at the last common step', () => {
    const score = scoreSeries('ratio', at([0, 5, 9], [3, 2.08, 9]), at([0, 5, 8], [1, 2, 7]), 0.05);
    assertClose(score.value, 1.04, 1e-15);
    assert.equal(score.pass, true);
    assert.equal(score.points, 1);
  });

  it('gives no ratio when the prediction is 0 at the last common step', () => {
    assert.deepEqual(scoreSeries('ratio', at([0, 1], [1, 1]), at([0, 1], [1, 0]), 0.05), {
      value: null,
      pass: false,
      points: 0,
    });
  });

  it('band: 0 inside the band at the last common step, else the distance outside over the half-width', () => {
    const band = { lo: at([0, 5, 9], [0, 0, 0]), hi: at([0, 5, 9], [0.2, 0.2, 0.2]) };
    // the last step with the measured value and both edges is 9: inside (earlier values outside do not count)
    assert.deepEqual(scoreSeries('band', at([0, 5, 9], [5, 0.3, 0.05]), at([], []), 0, band), {
      value: 0,
      pass: true,
      points: 1,
    });
    // 0.25 is 0.05 above hi = 0.2, the half-width is 0.1: 0.5 half-widths outside
    const above = scoreSeries('band', at([0, 5], [0.1, 0.25]), at([], []), 0, band);
    assertClose(above.value, 0.5, 1e-12);
    assert.equal(above.pass, false);
    assert.equal(scoreSeries('band', at([0, 5], [0.1, 0.25]), at([], []), 0.5, band).pass, true);
    assertClose(scoreSeries('band', at([5], [-0.1]), at([], []), 0, band).value, 1, 1e-12);
  });

  it('band: no value without a band, and an empty band tolerates nothing', () => {
    assert.deepEqual(scoreSeries('band', at([0], [1]), at([0], [1]), 0), {
      value: null,
      pass: false,
      points: 0,
    });
    const point = { lo: at([0], [1]), hi: at([0], [1]) };
    assert.equal(scoreSeries('band', at([0], [1]), at([], []), 0, point).value, 0);
    assert.equal(scoreSeries('band', at([0], [1.01]), at([], []), 1e9, point).pass, false);
  });

  it('gives no value and fails when the series do not overlap', () => {
    for (const kind of ['r2', 'r2log', 'maxRelError', 'ratio'] as const) {
      const score = scoreSeries(kind, at([0, 1], [1, 2]), at([2, 3], [1, 2]), defaultTolerance(kind));
      assert.deepEqual(score, { value: null, pass: false, points: 0 }, kind);
    }
  });

  it('gives no log-space value when no pair is positive', () => {
    assert.equal(scoreSeries('r2log', at([0, 1], [-1, 2]), at([0, 1], [1, -2]), 0.99).value, null);
  });

  it('rejects a non-finite tolerance', () => {
    assert.throws(
      () => scoreSeries('r2', at([0], [1]), at([0], [1]), NaN),
      /tolerance must be finite, got NaN/,
    );
  });
});

describe('scorePrediction', () => {
  const info = { name: 'saxe', observable: 'modes', tolerance: 0.9 };
  const series = (name: string, measured: number[], predicted: number[]) => ({
    series: name,
    measured: at(steps(measured.length), measured),
    predicted: at(steps(predicted.length), predicted),
  });

  it('reports the lowest R^2 over the series and passes when all pass', () => {
    const score = scorePrediction({ ...info, score: 'r2' }, [
      series('modes[0]', [1, 2, 3, 4, 5], [1.1, 1.9, 3.2, 3.8, 5.3]),
      series('modes[1]', [1, 2, 3], [1, 2, 3]),
    ]);
    assertClose(score.value, 0.981, 1e-13);
    assert.equal(score.pass, true);
    assert.deepEqual(
      score.series.map((s) => s.series),
      ['modes[0]', 'modes[1]'],
    );
    assert.equal(score.series[1].value, 1);
    assert.equal(score.name, 'saxe');
    assert.equal(score.observable, 'modes');
  });

  it('reports the largest relative error', () => {
    const score = scorePrediction({ ...info, score: 'maxRelError', tolerance: 0.05 }, [
      series('a', [1.01], [1]),
      series('b', [0.96], [1]),
    ]);
    assertClose(score.value, 0.04, 1e-15);
    assert.equal(score.pass, true);
  });

  it('reports the ratio farthest from 1, on either side', () => {
    const twoSided = [series('a', [0.97], [1]), series('b', [1.04], [1]), series('c', [1.01], [1])];
    const loose = scorePrediction({ ...info, score: 'ratio', tolerance: 0.05 }, twoSided);
    assertClose(loose.value, 1.04, 1e-15);
    assert.equal(loose.pass, true);
    const tight = scorePrediction({ ...info, score: 'ratio', tolerance: 0.035 }, twoSided);
    assert.equal(tight.pass, false);
    assert.deepEqual(
      tight.series.map((s) => s.pass),
      [true, false, true],
    );
  });

  it('fails when one series has nothing to compare, but still reports the others', () => {
    const score = scorePrediction({ ...info, score: 'r2' }, [
      series('modes[0]', [1, 2, 3], [1, 2, 3]),
      { series: 'modes[1]', measured: at([0, 1], [1, 2]), predicted: at([5], [1]) },
    ]);
    assert.equal(score.value, 1);
    assert.equal(score.pass, false);
    assert.equal(score.series[1].value, null);
  });

  it('copies only name, observable, score and tolerance from a richer prediction definition', () => {
    const definition = { ...info, score: 'r2' as const, curve: true };
    const score = scorePrediction(definition, [series('modes[0]', [1, 2], [1, 2])]);
    assert.deepEqual(Object.keys(score).sort(), [
      'name',
      'observable',
      'pass',
      'score',
      'series',
      'tolerance',
      'value',
    ]);
  });

  it('has no value and fails without any series', () => {
    const score = scorePrediction({ ...info, score: 'r2' }, []);
    assert.equal(score.value, null);
    assert.equal(score.pass, false);
  });
});

describe('defaultTolerance', () => {
  it('asks R^2 >= 0.99 and a 5% error or ratio', () => {
    assert.equal(defaultTolerance('r2'), 0.99);
    assert.equal(defaultTolerance('r2log'), 0.99);
    assert.equal(defaultTolerance('maxRelError'), 0.05);
    assert.equal(defaultTolerance('ratio'), 0.05);
  });
});
