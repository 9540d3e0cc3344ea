import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SweepLaw } from '../../src/sdk/definition';
import { initialManifest } from '../../src/store/initialManifest';
import type { ParamValue } from '../../src/store/manifest';
import { createRun } from '../../src/store/runWriter';
import { evaluateLaw, evaluateSweepLaws, parabolaOptimum, type LawPoint } from '../../src/sweep/laws';
import { LawResult } from '../../src/sweep/laws/result';
import { parseSweepSpec, sweepId, SweepSpecError } from '../../src/sweep/spec';
import {
  readSweepLaws,
  writeSweepLaws,
  type PointRecord,
  type SweepManifest,
} from '../../src/sweep/sweepStore';

/** Points of a synthetic sweep: `summary(overrides, seed)` gives each point's summaries. */
function sweep(
  grid: Record<string, ParamValue[]>,
  seeds: number,
  summary: (o: Record<string, ParamValue>, seed: number) => Record<string, number | null>,
  state: (o: Record<string, ParamValue>) => LawPoint['state'] = () => 'completed',
): LawPoint[] {
  let combos: Record<string, ParamValue>[] = [{}];
  for (const [name, values] of Object.entries(grid))
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  const points: LawPoint[] = [];
  for (const overrides of combos) {
    for (let seed = 0; seed < seeds; seed++) {
      points.push({
        index: points.length,
        overrides,
        seed,
        state: state(overrides),
        summary: summary(overrides, seed),
        runId: null,
      });
    }
  }
  return points;
}

/** A fixed +-1% pattern by seed, so fits see noise but tests stay deterministic. */
const noise = (seed: number, k = 0) => 1 + 0.01 * Math.sin(12.9898 * (seed + 1) + 78.233 * (k + 1));

function evaluate(law: SweepLaw, points: LawPoint[], runsDir?: string) {
  const result = evaluateLaw(law, points, { runsDir });
  LawResult.parse(result); // JSON-safe and of the stored shape
  JSON.parse(JSON.stringify(result));
  return result;
}

describe('sweep laws: powerLaw', () => {
  const xs = [10, 20, 40, 80, 160, 320];
  const law = (E: number, A: number, alpha: number) => (x: number) => E + A * x ** -alpha;

  it('fits on all but the largest x and extrapolates to it; the bootstrap interval covers alpha', () => {
    const f = law(0.5, 3, 0.7);
    const points = sweep({ n: xs }, 3, (o, seed) => ({
      loss: f(o.n as number) * noise(seed, o.n as number),
    }));
    const r = evaluate({ law: 'powerLaw', x: 'n', y: 'loss', holdOut: 1, tolerance: 0.05 }, points);
    assert.equal(r.problem, null);
    assert.equal(r.score, 'maxRelError');
    assert.ok(r.value! < 0.02, `held-out error ${r.value}`);
    assert.equal(r.pass, true);
    assert.equal(r.points, 18);
    const detail = r.detail as {
      params: { alpha: number };
      bootstrap: { over: string; alpha: number[] };
      trainedOn: number[];
    };
    assert.deepEqual(detail.trainedOn, xs.slice(0, 5));
    assert.equal(detail.bootstrap.over, 'seeds');
    assert.ok(Math.abs(detail.params.alpha - 0.7) < 0.1, `alpha ${detail.params.alpha}`);
    const [lo, hi] = detail.bootstrap.alpha;
    assert.ok(lo < detail.params.alpha && detail.params.alpha < hi, `${lo} < alpha < ${hi}`);
    const overlay = r.overlay!;
    assert.deepEqual(
      overlay.points.map((p) => p.heldOut),
      [false, false, false, false, false, true],
    );
    assert.equal(overlay.curves[0].x.length, 60);
    assert.ok(overlay.curves[0].lo && overlay.curves[0].hi, 'a bootstrap band');
  });

  it('fails when the largest size leaves the law (a 30% rise at the held-out point)', () => {
    const f = law(0.5, 3, 0.7);
    const points = sweep({ n: xs }, 1, (o) => ({ loss: f(o.n as number) * (o.n === 320 ? 1.3 : 1) }));
    const r = evaluate({ law: 'powerLaw', x: 'n', y: 'loss' }, points);
    assert.equal(r.problem, null);
    assert.ok(Math.abs(r.value! - 0.3 / 1.3) < 0.02, `relative error ${r.value}`);
    assert.equal(r.pass, false);
    assert.equal((r.detail as { bootstrap: { over: string } }).bootstrap.over, 'residuals');
  });

  it('leaves out failed points and says so; too few sizes is a problem, not a throw', () => {
    const f = law(0.5, 3, 0.7);
    const points = sweep(
      { n: xs },
      1,
      (o) => ({ loss: f(o.n as number) }),
      (o) => (o.n === 20 ? 'failed' : 'completed'),
    );
    const r = evaluate({ law: 'powerLaw', x: 'n', y: 'loss' }, points);
    assert.equal(r.excluded, 1);
    assert.match(r.notes.join(' '), /1 failed/);
    assert.equal(r.pass, true);
    const few = evaluate({ law: 'powerLaw', x: 'n', y: 'loss', holdOut: 3 }, points);
    assert.equal(few.pass, false);
    assert.equal(few.value, null);
    assert.match(few.problem!, /at least 6 values of 'n'/);
  });

  it('refuses to average over another swept parameter unless `where` picks one', () => {
    const f = law(0.5, 3, 0.7);
    const points = sweep({ n: xs, act: ['relu', 'tanh'] }, 1, (o) => ({
      loss: f(o.n as number) * (o.act === 'relu' ? 1 : 2),
    }));
    const r = evaluate({ law: 'powerLaw', x: 'n', y: 'loss' }, points);
    assert.match(r.problem!, /also varies 'act'.*where/);
    const relu = evaluate({ law: 'powerLaw', x: 'n', y: 'loss', where: { act: 'relu' } }, points);
    assert.equal(relu.problem, null);
    assert.equal(relu.points, 6);
    assert.equal(relu.name, 'powerLaw(loss ~ n) [act=relu]');
  });
});

describe('sweep laws: lrTransfer', () => {
  const lrs = [0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];
  const widths = [64, 256, 1024];
  /** y is a parabola in log lr with its minimum at lr* = 0.1 (w/64)^s (muP: s = 0, SP: s = -1). */
  const points = sweep({ parameterization: ['muP', 'SP'], width: widths, lr: lrs }, 2, (o, seed) => {
    const s = o.parameterization === 'muP' ? 0 : -0.5;
    const star = 0.1 * ((o.width as number) / 64) ** s;
    return {
      loss: (1 + (Math.log(o.lr as number) - Math.log(star)) ** 2) * noise(seed, lrs.indexOf(o.lr as number)),
    };
  });

  it('parabolaOptimum finds the vertex in log lr, and falls back to the grid minimum when not convex', () => {
    const ys = lrs.map((lr) => 2 + (Math.log(lr) - Math.log(0.05)) ** 2);
    const o = parabolaOptimum(lrs, ys);
    assert.ok(Math.abs(o.lrStar / 0.05 - 1) < 1e-9, `lr* ${o.lrStar}`);
    assert.equal(o.method, 'parabola');
    assert.equal(o.atEdge, false);
    const edge = parabolaOptimum(
      lrs,
      lrs.map((lr) => -Math.log(lr)),
    );
    assert.equal(edge.atEdge, true);
    assert.ok(Math.abs(edge.lrStar - 3) < 1e-9);
    const flat = parabolaOptimum(
      [1, 2, 4],
      [1, 0, 1].map((v) => -v),
    );
    assert.equal(flat.method, 'gridMin');
  });

  it('passes muP (slope ~ 0) and fails SP (slope -0.5) with the muP band; SP passes its own band', () => {
    const muP = evaluate(
      {
        law: 'lrTransfer',
        lr: 'lr',
        width: 'width',
        y: 'loss',
        band: [-0.15, 0.15],
        where: { parameterization: 'muP' },
      },
      points,
    );
    assert.equal(muP.problem, null);
    assert.equal(muP.score, 'slopeInBand');
    assert.deepEqual(muP.band, [-0.15, 0.15]);
    assert.ok(Math.abs(muP.value!) < 0.05, `muP slope ${muP.value}`);
    assert.equal(muP.pass, true);
    const detail = muP.detail as { interval: number[]; intervalFrom: string; optima: { lrStar: number }[] };
    assert.match(detail.intervalFrom, /bootstrap over seeds/);
    assert.ok(detail.interval[0] <= muP.value! && muP.value! <= detail.interval[1]);
    assert.equal(detail.optima.length, 3);
    for (const o of detail.optima) assert.ok(Math.abs(o.lrStar / 0.1 - 1) < 0.1, `lr* ${o.lrStar}`);
    const spAsMuP = evaluate(
      {
        law: 'lrTransfer',
        lr: 'lr',
        width: 'width',
        y: 'loss',
        band: [-0.15, 0.15],
        where: { parameterization: 'SP' },
      },
      points,
    );
    assert.ok(Math.abs(spAsMuP.value! + 0.5) < 0.1, `SP slope ${spAsMuP.value}`);
    assert.equal(spAsMuP.pass, false);
    const sp = evaluate(
      {
        law: 'lrTransfer',
        lr: 'lr',
        width: 'width',
        y: 'loss',
        band: [-1.2, -0.2],
        where: { parameterization: 'SP' },
      },
      points,
    );
    assert.equal(sp.pass, true);
    assert.equal(sp.overlay!.curves.length, 3);
    assert.equal(sp.overlay!.lines[0].axis, 'x');
  });

  it('notes an optimum at the edge of the lr grid', () => {
    const edge = sweep({ width: widths, lr: lrs }, 1, (o) => ({ loss: -Math.log(o.lr as number) }));
    const r = evaluate({ law: 'lrTransfer', lr: 'lr', width: 'width', y: 'loss', band: [-0.15, 0.15] }, edge);
    assert.match(r.notes.join('\n'), /edge of the grid; extend the grid/);
  });
});

describe('sweep laws: edgeOfStability', () => {
  const lrs = [0.1, 0.2, 0.4];

  it('scores the worst |S lr / 2 - 1| over learning rates (means over seeds)', () => {
    const points = sweep({ lr: lrs }, 2, (o, seed) => ({
      sharpness: (2 / (o.lr as number)) * (o.lr === 0.4 ? 1.03 : 1) * (seed === 0 ? 1.01 : 0.99),
    }));
    const r = evaluate({ law: 'edgeOfStability', lr: 'lr', sharpness: 'sharpness' }, points);
    assert.equal(r.score, 'maxAbsDeviation');
    assert.ok(Math.abs(r.value! - 0.03) < 1e-9, `${r.value}`);
    assert.equal(r.pass, true);
    assert.deepEqual(
      r.overlay!.points.map((p) => p.predicted),
      [20, 10, 5],
    );
  });

  it('fails a sharpness that stays at half the edge, and uses the optimizer threshold', () => {
    const half = sweep({ lr: lrs }, 1, (o) => ({ sharpness: 1 / (o.lr as number) }));
    const r = evaluate({ law: 'edgeOfStability', lr: 'lr', sharpness: 'sharpness' }, half);
    assert.ok(Math.abs(r.value! - 0.5) < 1e-12);
    assert.equal(r.pass, false);
    const momentum = sweep({ lr: lrs }, 1, (o) => ({ sharpness: 3.8 / (o.lr as number) }));
    assert.equal(
      evaluate({ law: 'edgeOfStability', lr: 'lr', sharpness: 'sharpness', optimizer: 'momentum' }, momentum)
        .pass,
      true,
    );
    assert.equal(
      evaluate({ law: 'edgeOfStability', lr: 'lr', sharpness: 'sharpness' }, momentum).pass,
      false,
    );
  });
});

describe('sweep laws: catapultPhases', () => {
  const lrs = [0.5, 0.9, 1.2, 1.5, 1.9, 2.5];
  const truth = (lr: number) => (lr * 2 < 2 ? 1 : lr * 2 < 4 ? 2 : 3);

  it('scores predicted against observed phases; a diverged run counts as divergent', () => {
    const points = sweep(
      { lr: lrs },
      1,
      (o) => (o.lr === 2.5 ? { lambda0: 2, phase: null } : { lambda0: 2, phase: truth(o.lr as number) }),
      (o) => (o.lr === 2.5 ? 'diverged' : 'completed'),
    );
    const r = evaluate({ law: 'catapultPhases', lr: 'lr', lambda0: 'lambda0', phase: 'phase' }, points);
    assert.equal(r.problem, null);
    assert.equal(r.score, 'accuracy');
    assert.equal(r.value, 1);
    assert.equal(r.pass, true);
    assert.equal(r.points, 6);
    const detail = r.detail as {
      confusion: Record<string, Record<string, number>>;
      edges: { catapult: number; divergent: number };
    };
    assert.deepEqual(detail.confusion.divergent, { lazy: 0, catapult: 0, divergent: 1 });
    assert.deepEqual(detail.edges, { catapult: 1, divergent: 2 });
    assert.deepEqual(
      r.overlay!.lines.map((l) => l.at),
      [1, 2],
    );
  });

  it('a misclassified point lowers the accuracy below a tolerance of 1; a diverged run without lambda0 is left out', () => {
    const points = sweep(
      { lr: lrs },
      1,
      (o) =>
        o.lr === 2.5
          ? { lambda0: null, phase: null }
          : { lambda0: 2, phase: o.lr === 1.2 ? 1 : truth(o.lr as number) },
      (o) => (o.lr === 2.5 ? 'diverged' : 'completed'),
    );
    const r = evaluate({ law: 'catapultPhases', lr: 'lr', lambda0: 'lambda0', phase: 'phase' }, points);
    assert.equal(r.points, 5);
    assert.equal(r.excluded, 1);
    assert.ok(Math.abs(r.value! - 0.8) < 1e-12);
    assert.equal(r.pass, false);
    assert.equal(
      evaluate(
        { law: 'catapultPhases', lr: 'lr', lambda0: 'lambda0', phase: 'phase', tolerance: 0.8 },
        points,
      ).pass,
      true,
    );
  });
});

describe('sweep laws: chinchilla and criticalBatch', () => {
  it('chinchilla extrapolates to the largest compute and reports the compute-optimal exponents', function () {
    this.timeout(120000);
    const p = { E: 1.5, A: 40, B: 60, alpha: 0.4, beta: 0.3 };
    const Ns = [1e3, 3e3, 1e4, 3e4];
    const Ds = [1e3, 3e3, 1e4, 3e4];
    const points = sweep({ N: Ns, D: Ds }, 1, (o) => ({
      loss: p.E + p.A / (o.N as number) ** p.alpha + p.B / (o.D as number) ** p.beta,
    }));
    const r = evaluate({ law: 'chinchilla', N: 'N', D: 'D', y: 'loss', resamples: 20 }, points);
    assert.equal(r.problem, null);
    assert.ok(r.value! < 0.01, `held-out error ${r.value}`);
    assert.equal(r.pass, true);
    const e = (r.detail as { computeOptimalExponents: { a: number; b: number } }).computeOptimalExponents;
    assert.ok(Math.abs(e.a - 0.3 / 0.7) < 0.05 && Math.abs(e.a + e.b - 1) < 1e-12, `a ${e.a}`);
    assert.equal(r.overlay!.points.filter((m) => m.heldOut).length, 1);
  });

  it('criticalBatch compares the Pareto B_crit with the measured noise scale', () => {
    const batches = [8, 16, 32, 64, 128, 256, 512];
    const at = (gns: number) =>
      sweep({ batch: batches }, 1, (o) => ({ steps: Math.round(100 * (1 + 96 / (o.batch as number))), gns }));
    const r = evaluate({ law: 'criticalBatch', batch: 'batch', steps: 'steps', noiseScale: 'gns' }, at(100));
    assert.equal(r.problem, null);
    assert.equal(r.score, 'factor');
    const detail = r.detail as { bCrit: number; r2log: number };
    assert.ok(Math.abs(detail.bCrit / 96 - 1) < 0.02, `B_crit ${detail.bCrit}`);
    assert.ok(Math.abs(r.value! - 0.96) < 0.02);
    assert.equal(r.pass, true);
    const far = evaluate(
      { law: 'criticalBatch', batch: 'batch', steps: 'steps', noiseScale: 'gns' },
      at(1000),
    );
    assert.ok(far.value! < 0.1);
    assert.equal(far.pass, false);
  });

  it('criticalBatch with a tuned learning rate keeps, per batch size, the lr that reached the target first', () => {
    const batches = [8, 32, 128, 512];
    // The best lr (0.1) follows the hyperbola; the others take longer by a factor.
    const points = sweep({ batch: batches, lr: [0.01, 0.1, 1] }, 1, (o) => ({
      steps: 100 * (1 + 64 / (o.batch as number)) * (o.lr === 0.1 ? 1 : o.lr === 1 ? 1.7 : 3),
      gns: 64,
    }));
    const untuned = evaluate(
      { law: 'criticalBatch', batch: 'batch', steps: 'steps', noiseScale: 'gns' },
      points,
    );
    assert.match(untuned.problem!, /also varies 'lr'/);
    const r = evaluate(
      { law: 'criticalBatch', batch: 'batch', steps: 'steps', noiseScale: 'gns', tuned: 'lr' },
      points,
    );
    assert.equal(r.problem, null);
    assert.equal(r.points, 4);
    assert.ok(Math.abs(r.value! - 1) < 1e-6, `ratio ${r.value}`);
    assert.deepEqual((r.detail as { tuned: { best: Record<string, number> } }).tuned.best, {
      8: 0.1,
      32: 0.1,
      128: 0.1,
      512: 0.1,
    });
  });
});

describe('sweep laws: collapse (reads the runs)', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-laws-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** Writes one run per point with `loss` at steps 0..T, and returns the points. */
  function runs(curve: (size: number, fraction: number, seed: number) => number): LawPoint[] {
    const sizes = [1, 2, 4, 8];
    const points = sweep({ size: sizes }, 2, () => ({}));
    for (const p of points) {
      const id = `run-${p.index}`;
      const T = 50;
      const manifest = initialManifest(
        {
          id,
          experiment: 'Exp',
          title: 'Exp',
          file: 'exp.ts',
          contentHash: 'h',
          params: {},
          seed: p.seed,
          steps: T,
          backend: { name: 'cpu', tfjsVersion: '4.22.0', reason: 'requested' },
          observables: [],
          predictions: [],
        },
        new Date(),
      );
      const writer = createRun(root, manifest);
      writer.append(
        Array.from({ length: T + 1 }, (_, t) => ({
          series: 'loss',
          step: t,
          value: curve(p.overrides.size as number, t / T, p.seed),
          wall: t,
        })),
      );
      writer.close();
      p.runId = id;
    }
    return points;
  }

  it('curves that differ by a per-size scale collapse; curves of different shapes do not', () => {
    const scaled = runs(
      (size, x, seed) => (2 / size) * (0.1 + Math.exp(-4 * x)) * noise(seed, Math.round(x * 50)),
    );
    const good = evaluate({ law: 'collapse', y: 'loss', size: 'size' }, scaled, root);
    assert.equal(good.problem, null);
    assert.ok(good.value! < 0.05, `spread ratio ${good.value}`);
    assert.equal(good.pass, true);
    assert.equal(good.overlay!.curves.length, 4);
    assert.ok((good.detail as { seedNoiseRatio: number }).seedNoiseRatio < 0.1);
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root);
    // The same final loss but a rate growing with the size: the shapes differ, normalising cannot help.
    const shapes = runs((size, x, seed) => (0.1 + Math.exp(-4 * size * x)) * noise(seed, Math.round(x * 50)));
    const bad = evaluate({ law: 'collapse', y: 'loss', size: 'size' }, shapes, root);
    assert.ok(bad.value! > 0.5, `spread ratio ${bad.value}`);
    assert.equal(bad.pass, false);
    // Scaled and reshaped: normalising removes the scale only, so the ratio falls but stays above 0.2.
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root);
    const both = runs(
      (size, x, seed) => (2 / size) * (0.1 + Math.exp(-4 * size * x)) * noise(seed, Math.round(x * 50)),
    );
    const partial = evaluate({ law: 'collapse', y: 'loss', size: 'size' }, both, root);
    assert.ok(partial.value! > 0.2 && partial.value! < bad.value!, `spread ratio ${partial.value}`);
    assert.equal(partial.pass, false);
    // Against the seed noise (entry 16): far above 1 here, near 0 for the scaled curves.
    const seeds = evaluate({ law: 'collapse', y: 'loss', size: 'size', against: 'seeds' }, both, root);
    assert.ok(seeds.value! > 10, `R ${seeds.value}`);
    assert.equal(seeds.pass, false);
    const noDir = evaluate({ law: 'collapse', y: 'loss', size: 'size' }, shapes);
    assert.match(noDir.problem!, /runs directory/);
  });
});

describe('sweep laws: declaring and storing them', () => {
  const target = {
    experiment: 'Mlp',
    params: ['width', 'lr', 'act', 'seed'],
    observables: ['loss', 'modes', 'sharpness'],
  };
  const base = {
    grid: { width: [64, 128], lr: [0.1, 0.2, 0.3] },
    summarize: { loss: 'final', modes: 'final' },
  };
  const check = (laws: unknown) => parseSweepSpec('s', { ...base, laws }, target);

  it('accept laws naming swept parameters and summarised series (components too)', () => {
    const spec = check([
      { law: 'powerLaw', x: 'width', y: 'modes[1]' },
      { law: 'lrTransfer', lr: 'lr', width: 'width', y: 'loss', band: [-0.2, 0.2] },
    ]);
    assert.equal(spec.laws!.length, 2);
  });

  it('reject bad laws with the sweep, the law and the field named', () => {
    const bad: [unknown, RegExp][] = [
      [
        [{ law: 'zipf', x: 'width' }],
        /sweep 's' of Mlp: laws\[0\]: unknown law "zipf" \(laws: powerLaw, chinchilla/,
      ],
      [[{ law: 'powerLaw', x: 'width' }], /laws\[0\] \(powerLaw\): 'y' is required/],
      [
        [{ law: 'powerLaw', x: 'depth', y: 'loss' }],
        /laws\[0\] \(powerLaw\): x: 'depth' is neither a swept parameter \(width, lr\)/,
      ],
      [
        [{ law: 'powerLaw', x: 'width', y: 'sharpness' }],
        /'sharpness' is an observable but the sweep does not summarize it/,
      ],
      [[{ law: 'powerLaw', x: 'act', y: 'loss' }], /'act' is a parameter the sweep does not vary/],
      [[{ law: 'lrTransfer', lr: 'lr', width: 'width', y: 'loss' }], /band must be \[lo, hi\]/],
      [[{ law: 'catapultPhases', lr: 'lr', lambda0: 'loss' }], /exactly one of 'phase'/],
      [
        [{ law: 'powerLaw', x: 'width', y: 'loss', tolerance: -1 }],
        /tolerance must be a finite number > 0, got -1/,
      ],
      [[{ law: 'powerLaw', x: 'width', y: 'loss', holdout: 1 }], /unknown field 'holdout'/],
      [
        [{ law: 'powerLaw', x: 'width', y: 'loss', where: { depth: 2 } }],
        /where: 'depth' is not a parameter/,
      ],
      [
        [
          { law: 'powerLaw', x: 'width', y: 'loss' },
          { law: 'powerLaw', x: 'width', y: 'loss' },
        ],
        /two laws are named/,
      ],
      ['powerLaw', /laws: Invalid input: expected array/],
    ];
    for (const [laws, message] of bad) {
      assert.throws(
        () => check(laws),
        (e: Error) => e instanceof SweepSpecError && message.test(e.message),
        JSON.stringify(laws),
      );
    }
  });

  it('do not change the sweep id: adding a law keeps the points already run', () => {
    const without = parseSweepSpec('s', base, target);
    const withLaws = check([{ law: 'powerLaw', x: 'width', y: 'loss' }]);
    assert.equal(sweepId('f.ts', 'Mlp', 's', withLaws), sweepId('f.ts', 'Mlp', 's', without));
  });

  it('evaluate from a manifest and its point records, and round-trip through laws.json', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-laws-store-'));
    try {
      const spec = parseSweepSpec(
        's',
        {
          grid: { lr: [0.1, 0.2, 0.4] },
          summarize: { sharpness: { meanLast: 3 } },
          laws: [{ law: 'edgeOfStability', lr: 'lr', sharpness: 'sharpness' }],
        },
        target,
      );
      const manifest: SweepManifest = {
        schemaVersion: 1,
        id: 'x',
        name: 's',
        experiment: 'Mlp',
        file: 'f.ts',
        spec,
        steps: 10,
        points: [0.1, 0.2, 0.4].map((lr, index) => ({ index, overrides: { lr }, seed: 0 })),
        createdAt: new Date().toISOString(),
        backend: { kind: 'local', workers: 1 },
        coordinator: null,
      };
      const records: PointRecord[] = [0.1, 0.2, 0.4].map((lr, index) => ({
        index,
        state: index === 2 ? 'failed' : 'completed',
        runId: null,
        attempts: 1,
        error: null,
        summary: { sharpness: 2 / lr },
        startedAt: null,
        endedAt: null,
        executor: null,
      }));
      const laws = evaluateSweepLaws(manifest, records);
      assert.equal(laws.length, 1);
      assert.equal(laws[0].points, 2);
      assert.equal(laws[0].excluded, 1);
      assert.equal(laws[0].value, 0);
      writeSweepLaws(dir, { evaluatedAt: 'now', laws });
      assert.deepEqual(readSweepLaws(dir), { evaluatedAt: 'now', laws });
      fs.writeFileSync(path.join(dir, 'laws.json'), '{');
      assert.throws(() => readSweepLaws(dir), /laws.json is not valid JSON/);
      assert.equal(readSweepLaws(path.join(dir, 'nowhere')), null);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
