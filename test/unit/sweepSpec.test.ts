import { strict as assert } from 'node:assert';
import { linspace, logspace } from '../../src/sdk/decorators';
import { expandSweep, parseGridOption, parseSweepSpec, sweepId, SweepSpecError } from '../../src/sweep/spec';
import { reduce } from '../../src/sweep/summary';
import { formatSweepProgress, sweepProgress } from '../../src/sweep/progress';
import { pendingRecord } from '../../src/sweep/sweepStore';
import { pointsToRun } from '../../src/sweep/prepare';

const target = { experiment: 'Mlp', params: ['width', 'lr', 'act', 'seed'], observables: ['loss', 'modes'] };

describe('sweep specs', () => {
  it('expand a grid (last parameter fastest) times the seeds, with stable indices', () => {
    const spec = parseSweepSpec('s', { grid: { width: [64, 128], lr: [0.1, 0.2, 0.3] }, seeds: 2 }, target);
    const points = expandSweep(spec);
    assert.equal(points.length, 12);
    assert.deepEqual(points.slice(0, 3), [
      { index: 0, overrides: { width: 64, lr: 0.1 }, seed: 0 },
      { index: 1, overrides: { width: 64, lr: 0.1 }, seed: 1 },
      { index: 2, overrides: { width: 64, lr: 0.2 }, seed: 0 },
    ]);
    assert.deepEqual(points[11], { index: 11, overrides: { width: 128, lr: 0.3 }, seed: 1 });
  });

  it('draw random points reproducibly within their ranges, log-uniform and integer when asked', () => {
    const options = {
      random: {
        count: 200,
        params: { lr: { min: 1e-4, max: 1, log: true }, width: { min: 8, max: 64, integer: true } },
      },
    };
    const a = expandSweep(parseSweepSpec('r', options, target));
    const b = expandSweep(parseSweepSpec('r', options, target));
    assert.deepEqual(a, b);
    const lrs = a.map((p) => p.overrides.lr as number);
    assert.ok(lrs.every((lr) => lr >= 1e-4 && lr <= 1));
    // log-uniform: about a quarter of the draws in each decade
    const belowMilli = lrs.filter((lr) => lr < 1e-3).length;
    assert.ok(belowMilli > 25 && belowMilli < 75, `${belowMilli} of 200 below 1e-3`);
    assert.ok(a.every((p) => Number.isInteger(p.overrides.width)));
    const other = expandSweep(parseSweepSpec('r', { random: { ...options.random, seed: 1 } }, target));
    assert.notDeepEqual(other, a);
  });

  it('name the sweep and the field in every error', () => {
    const cases: [unknown, RegExp][] = [
      [
        { grid: { depth: [1, 2] } },
        /sweep 's' of Mlp: 'depth' is not a parameter \(parameters: width, lr, act, seed\)/,
      ],
      [{ grid: { lr: [] } }, /sweep 's' of Mlp: grid\.lr: a grid list needs at least one value/],
      [{ summarize: { accuracy: 'final' } }, /cannot summarize 'accuracy', which is not an observable/],
      [{ summarize: { loss: 'last' } }, /summarize\.loss/],
      [{ random: { count: 3, params: { lr: { min: 0, max: 1, log: true } } } }, /a log range needs min > 0/],
      [{ grid: { lr: [0.1] }, seed: 3 }, /Unrecognized key/],
      [{}, /has a single point/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => parseSweepSpec('s', options, target),
        (e: Error) => e instanceof SweepSpecError && message.test(e.message),
        String(message),
      );
    }
  });

  it('read --grid values as lists or spacings', () => {
    assert.deepEqual(parseGridOption('lr=0.1,0.3'), ['lr', [0.1, 0.3]]);
    assert.deepEqual(parseGridOption('act=relu,tanh'), ['act', ['relu', 'tanh']]);
    assert.deepEqual(parseGridOption('balanced=true,false'), ['balanced', [true, false]]);
    assert.deepEqual(parseGridOption('width=lin:10:30:3'), ['width', [10, 20, 30]]);
    const [, lrs] = parseGridOption('lr=log:1e-3:1e-1:3');
    assert.deepEqual(
      lrs.map((v) => Number((v as number).toPrecision(12))),
      [1e-3, 1e-2, 1e-1],
    );
    assert.throws(() => parseGridOption('lr'), /--grid expects name=values, got 'lr'/);
    assert.throws(() => parseGridOption('lr=log:0:1:3'), /log spacing needs positive ends/);
  });

  it('linspace and logspace include both ends exactly', () => {
    assert.deepEqual(linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]);
    const l = logspace(1e-3, 1e-1, 5);
    assert.equal(l[0], 1e-3);
    assert.equal(l[4], 1e-1);
    assert.ok(Math.abs(l[2] - 1e-2) < 1e-15);
    assert.throws(() => logspace(0, 1, 3), /positive ends/);
  });

  it('have an id that changes with the spec and not between identical requests', () => {
    const spec = parseSweepSpec('s', { grid: { lr: [0.1, 0.2] } }, target);
    const again = parseSweepSpec('s', { grid: { lr: [0.1, 0.2] } }, target);
    const other = parseSweepSpec('s', { grid: { lr: [0.1, 0.3] } }, target);
    assert.equal(sweepId('/a.exp.ts', 'Mlp', 's', spec), sweepId('/a.exp.ts', 'Mlp', 's', again));
    assert.notEqual(sweepId('/a.exp.ts', 'Mlp', 's', spec), sweepId('/a.exp.ts', 'Mlp', 's', other));
    assert.notEqual(sweepId('/a.exp.ts', 'Mlp', 's', spec), sweepId('/b.exp.ts', 'Mlp', 's', spec));
    assert.match(sweepId('/a.exp.ts', 'Mlp', 's', spec), /^Mlp-s-[0-9a-f]{10}$/);
  });
});

describe('sweep summaries and progress', () => {
  it('reduce a series to its final value, min, max or mean of the last k', () => {
    assert.equal(reduce([3, 1, 2], 'final'), 2);
    assert.equal(reduce([3, 1, 2], 'min'), 1);
    assert.equal(reduce([3, 1, 2], 'max'), 3);
    assert.equal(reduce([3, 1, 2, 4], { meanLast: 2 }), 3);
    assert.equal(reduce([3], { meanLast: 5 }), 3);
    assert.equal(reduce([], 'final'), null);
  });

  it('re-run pending and interrupted points, failed ones only on request, never finished ones', () => {
    const states = ['pending', 'running', 'completed', 'failed', 'diverged', 'cancelled'] as const;
    const points = states.map((state, i) => ({ ...pendingRecord(i), state }));
    assert.deepEqual(
      pointsToRun(points, false).map((p) => p.state),
      ['pending', 'cancelled'],
    );
    assert.deepEqual(
      pointsToRun(points, true).map((p) => p.state),
      ['pending', 'failed', 'cancelled'],
    );
  });

  it('count points by state and estimate the time left from this session', () => {
    const points = ['completed', 'completed', 'diverged', 'running', 'pending', 'failed'].map((state, i) => ({
      ...pendingRecord(i),
      state: state as 'completed',
    }));
    const progress = sweepProgress(points, 2, 10);
    assert.equal(progress.etaSeconds, 10);
    assert.equal(
      formatSweepProgress(progress, (s) => `${s}s`),
      '3/6 done (1 diverged), 1 running, 1 failed, ETA 10s',
    );
    assert.equal(sweepProgress(points, 0, 10).etaSeconds, null);
  });
});
