import { strict as assert } from 'node:assert';
import { HostMessage, RunnerMessage } from '../../src/protocol/runner';
import {
  bandSeriesName,
  componentName,
  parseSeriesName,
  predictionSeriesName,
} from '../../src/protocol/series';
import { groupLastValues } from '../../src/series/lastValues';

describe('the runner protocol guards', () => {
  it('accepts a well-formed start request and fills in the batching defaults', () => {
    const parsed = HostMessage.parse({
      type: 'start',
      file: 'a.ts',
      overrides: {},
      backend: 'auto',
      runsDir: '.lab/runs',
    });
    assert.equal(parsed.type === 'start' && parsed.batchMs, 100);
  });

  it('rejects a start request with an unknown backend or a negative step count', () => {
    assert.equal(
      HostMessage.safeParse({ type: 'start', file: 'a', overrides: {}, backend: 'gpu', runsDir: 'r' })
        .success,
      false,
    );
    const steps = { type: 'start', file: 'a', overrides: {}, backend: 'cpu', runsDir: 'r', steps: -1 };
    assert.equal(HostMessage.safeParse(steps).success, false);
  });

  it('rejects messages of unknown type and messages missing fields', () => {
    assert.equal(RunnerMessage.safeParse({ type: 'hello' }).success, false);
    assert.equal(RunnerMessage.safeParse({ type: 'ready', pid: 1 }).success, false);
    assert.equal(
      RunnerMessage.safeParse({ type: 'samples', series: ['a'], step: [1], value: [2] }).success,
      false,
    );
  });

  it('accepts a columnar sample batch, including non-finite values', () => {
    const batch = {
      type: 'samples',
      series: ['a', 'b'],
      step: [1, 1],
      value: [NaN, Infinity],
      wall: [0.1, 0.1],
    };
    assert.equal(RunnerMessage.safeParse(batch).success, true);
  });
});

describe('series names', () => {
  it('round-trips scalar, component, prediction and band names', () => {
    const names = [
      'loss',
      componentName('modes', 3),
      predictionSeriesName('modes[3]', 'saxe'),
      bandSeriesName('loss', 'fit', 'hi'),
    ];
    assert.deepEqual(names, ['loss', 'modes[3]', 'modes[3]~saxe', 'loss~fit:hi']);
    assert.deepEqual(names.map(parseSeriesName), [
      { observable: 'loss' },
      { observable: 'modes', index: 3 },
      { observable: 'modes', index: 3, prediction: 'saxe' },
      { observable: 'loss', prediction: 'fit', band: 'hi' },
    ]);
  });

  it('parses nothing from a malformed name', () => {
    assert.equal(parseSeriesName('modes[x]'), undefined);
    assert.equal(parseSeriesName(''), undefined);
  });

  it('groups last values by observable and leaves predictions out', () => {
    const last = new Map([
      ['modes[1]', 2],
      ['modes[0]', 1],
      ['loss', 0.5],
      ['loss~fit', 0.4],
    ]);
    assert.deepEqual(groupLastValues(last), { modes: [1, 2], loss: 0.5 });
  });
});
