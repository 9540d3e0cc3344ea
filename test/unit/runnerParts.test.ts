import { strict as assert } from 'node:assert';
import { parseOverrides } from '../../src/cli/overrides';
import { LeakWatch } from '../../src/runner/leakWatch';
import { isSampleStep, nextSampleStep, sampleSteps } from '../../src/runner/schedule';
import { construct, resolveParam, type Construction } from '../../src/sdk/construction';

describe('sampling schedules', () => {
  it('samples at 0, every multiple of every, and the last step', () => {
    assert.deepEqual(sampleSteps({ name: 'x', every: 10, atEnd: false }, 35), [0, 10, 20, 30, 35]);
    assert.deepEqual(sampleSteps({ name: 'x', every: 10, atEnd: false }, 30), [0, 10, 20, 30]);
  });

  it('finds the next step at which any observable is sampled', () => {
    const every10 = { name: 'a', every: 10, atEnd: false };
    const every4 = { name: 'b', every: 4, atEnd: false };
    const atEnd = { name: 'c', every: null, atEnd: true };
    assert.deepEqual(
      [0, 4, 8, 10, 33].map((after) => nextSampleStep([every10, every4], after, 35)),
      [4, 8, 10, 12, 35],
    );
    assert.equal(nextSampleStep([atEnd], 0, 35), 35);
    assert.equal(nextSampleStep([every10, atEnd], 35, 35), Infinity);
    assert.equal(nextSampleStep([], 0, 35), Infinity);
  });

  it('samples an atEnd-only observable at the last step alone', () => {
    assert.deepEqual(sampleSteps({ name: 'x', every: null, atEnd: true }, 35), [35]);
    assert.equal(isSampleStep({ name: 'x', every: null, atEnd: true }, 0, 35), false);
  });
});

describe('--set overrides', () => {
  it('reads values as JSON when they parse, else as strings', () => {
    assert.deepEqual(
      parseOverrides(['lr=0.01', 'targets=[5,3,1.5]', 'balanced=true', 'mode=random', 'eq=a=b']),
      {
        lr: 0.01,
        targets: [5, 3, 1.5],
        balanced: true,
        mode: 'random',
        eq: 'a=b',
      },
    );
  });

  it('rejects an argument without a name and an equals sign', () => {
    assert.throws(() => parseOverrides(['lr']), /--set expects name=value, got 'lr'/);
    assert.throws(() => parseOverrides(['=3']), /--set expects name=value/);
  });
});

describe('parameter resolution', () => {
  const fresh = (overrides: Record<string, unknown>): Construction => ({
    overrides,
    defaults: {},
    values: {},
  });

  it('takes a well-typed override and records default and value', () => {
    const c = fresh({ lr: 0.5 });
    assert.equal(
      construct(c, () => resolveParam('lr', 0.1)),
      0.5,
    );
    assert.deepEqual([c.defaults, c.values], [{ lr: 0.1 }, { lr: 0.5 }]);
  });

  it('names the parameter and the expected type when an override is ill-typed', () => {
    assert.throws(
      () => construct(fresh({ lr: '0.5' }), () => resolveParam('lr', 0.1)),
      /'lr' expects a number, got the string "0.5"/,
    );
    assert.throws(
      () => construct(fresh({ t: [1, 'a'] }), () => resolveParam('t', [1])),
      /'t' expects a number\[\]/,
    );
    assert.throws(
      () => construct(fresh({ b: 1 }), () => resolveParam('b', false)),
      /'b' expects a boolean, got number 1/,
    );
  });

  it('refuses a default that is not one of the four parameter types', () => {
    assert.throws(
      () => construct(fresh({}), () => resolveParam('o', { a: 1 })),
      /default must be a number, boolean, string or number\[\]/,
    );
  });

  it('reports the seed parameter as soon as it is initialised', () => {
    let seen: number | undefined;
    construct({ ...fresh({ seed: 7 }), onSeed: (s) => (seen = s) }, () => resolveParam('seed', 0));
    assert.equal(seen, 7);
  });
});

describe('the tensor leak watch', () => {
  it('warns once after three windows that each grow by at least one tensor every two steps', () => {
    const warnings: string[] = [];
    const watch = new LeakWatch((m) => warnings.push(m));
    [
      [0, 10],
      [100, 110],
      [200, 210],
      [300, 310],
      [400, 410],
    ].forEach(([step, tensors]) => watch.check(step, tensors));
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /leaks about 1\.0 tensors per step \(tf\.memory\(\)\.numTensors is 310 at step 300\)/,
    );
  });

  it('stays silent when the count grows slower or stops growing', () => {
    const warnings: string[] = [];
    const watch = new LeakWatch((m) => warnings.push(m));
    [
      [0, 10],
      [100, 60],
      [200, 110],
      [300, 110],
      [400, 160],
      [500, 210],
    ].forEach(([step, tensors]) => watch.check(step, tensors));
    assert.deepEqual(warnings, []);
  });
});
