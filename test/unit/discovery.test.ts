import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { discover } from '../../src/discovery/discover';
import { findObservableAt } from '../../src/discovery/findObservableAt';
import type { Discovery, ExperimentDecl } from '../../src/discovery/types';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'discovery');

function discoverFixture(name: string): Discovery {
  return discover(readFileSync(path.join(FIXTURES, `${name}.ts`), 'utf8'), `${name}.ts`);
}

/** The only experiment of a fixture that must declare exactly one. */
function onlyExperiment(name: string): ExperimentDecl {
  const { experiments } = discoverFixture(name);
  assert.equal(experiments.length, 1, `${name}.ts should declare one experiment`);
  return experiments[0];
}

describe('discover', () => {
  describe('on the deep linear example', () => {
    const discovery = discoverFixture('deepLinear');
    const [deepLinear] = discovery.experiments;

    it('finds one experiment and reports nothing', () => {
      assert.equal(discovery.experiments.length, 1);
      assert.deepEqual(discovery.diagnostics, []);
    });

    it('reads the class and its @experiment options', () => {
      assert.equal(deepLinear.name, 'DeepLinear');
      assert.equal(deepLinear.title, 'Deep linear network learns its modes one by one');
      assert.equal(deepLinear.steps, 4000);
      assert.equal(deepLinear.description, undefined);
      assert.equal(deepLinear.hasSetup, true);
      assert.equal(deepLinear.hasStep, true);
      assert.equal(deepLinear.exported, true);
    });

    it('reads every param with its default and type, in source order', () => {
      const params = deepLinear.params.map(({ name, default: value, type }) => ({ name, value, type }));
      assert.deepEqual(params, [
        { name: 'depth', value: 2, type: 'number' },
        { name: 'lr', value: 0.002, type: 'number' },
        { name: 'init', value: 1e-4, type: 'number' },
        { name: 'targets', value: [6, 4, 3, 2, 1, 0.5], type: 'number[]' },
        { name: 'balanced', value: false, type: 'boolean' },
        { name: 'name', value: 'x', type: 'string' },
        { name: 'seed', value: 0, type: 'number' },
      ]);
    });

    it('reads the observables with their cadence, an atEnd-only one sampled every null steps', () => {
      const observables = deepLinear.observables.map(({ name, every, atEnd }) => ({ name, every, atEnd }));
      assert.deepEqual(observables, [
        { name: 'loss', every: 10, atEnd: false },
        { name: 'modes', every: 10, atEnd: false },
        { name: 'finalGap', every: null, atEnd: true },
      ]);
    });

    it('reads the predictions with their observable, score, tolerance and curve flag', () => {
      const predictions = deepLinear.predictions.map(({ name, observable, score, tolerance, curve }) => ({
        name,
        observable,
        score,
        tolerance,
        curve,
      }));
      assert.deepEqual(predictions, [
        { name: 'saxe', observable: 'modes', score: 'r2', tolerance: 0.99, curve: false },
        { name: 'lossCurve', observable: 'loss', score: 'maxRelError', tolerance: 1e-4, curve: true },
      ]);
    });

    it('gives the class, its name and its decorator their exact ranges', () => {
      assert.deepEqual(deepLinear.range, {
        start: { line: 3, character: 0 },
        end: { line: 44, character: 1 },
      });
      assert.deepEqual(deepLinear.nameRange, {
        start: { line: 4, character: 13 },
        end: { line: 4, character: 23 },
      });
      assert.deepEqual(deepLinear.decoratorRange, {
        start: { line: 3, character: 0 },
        end: { line: 3, character: 86 },
      });
    });

    it('gives members the range of their name and of their whole declaration', () => {
      const depth = deepLinear.params[0];
      assert.deepEqual(depth.nameRange, {
        start: { line: 5, character: 9 },
        end: { line: 5, character: 14 },
      });
      assert.deepEqual(depth.range, { start: { line: 5, character: 2 }, end: { line: 5, character: 19 } });
      const loss = deepLinear.observables[0];
      assert.deepEqual(loss.nameRange, {
        start: { line: 23, character: 29 },
        end: { line: 23, character: 33 },
      });
      assert.deepEqual(loss.range, { start: { line: 23, character: 2 }, end: { line: 25, character: 3 } });
      const saxe = deepLinear.predictions[0];
      assert.deepEqual(saxe.nameRange, {
        start: { line: 35, character: 57 },
        end: { line: 35, character: 61 },
      });
      assert.deepEqual(saxe.observableRange, {
        start: { line: 35, character: 14 },
        end: { line: 35, character: 21 },
      });
    });
  });

  it('finds several experiments in one file, exported by modifier, by export list or as default', () => {
    const { experiments, diagnostics } = discoverFixture('severalExperiments');
    assert.deepEqual(
      experiments.map(({ name, exported }) => ({ name, exported })),
      [
        { name: 'Quadratic', exported: true },
        { name: 'Kernel', exported: true },
        { name: 'Hidden', exported: true },
      ],
    );
    assert.deepEqual(diagnostics, []);
  });

  it('reads title, description, async setup and step, and a step held in a field', () => {
    const [quadratic, kernel, hidden] = discoverFixture('severalExperiments').experiments;
    assert.equal(quadratic.title, 'Quadratic');
    assert.deepEqual([quadratic.hasSetup, quadratic.hasStep], [false, true]);
    assert.equal(kernel.title, 'Kernel regime');
    assert.equal(kernel.description, 'A wide network stays near its initialization.');
    assert.deepEqual([kernel.hasSetup, kernel.hasStep], [true, true]);
    assert.deepEqual([hidden.hasSetup, hidden.hasStep], [false, true]);
  });

  it('samples an observable with both every and atEnd on its cadence and at the end', () => {
    const kernel = discoverFixture('severalExperiments').experiments[1];
    assert.deepEqual(
      kernel.observables.map(({ every, atEnd }) => ({ every, atEnd })),
      [{ every: 5, atEnd: true }],
    );
  });

  it('gives a ratio prediction without tolerance the default tolerance 0.05', () => {
    const kernel = discoverFixture('severalExperiments').experiments[1];
    assert.equal(kernel.predictions[0].score, 'ratio');
    assert.equal(kernel.predictions[0].tolerance, 0.05);
  });

  it('recognises decorators imported under other names', () => {
    const aliased = onlyExperiment('aliases');
    assert.equal(aliased.title, 'Aliased');
    assert.equal(aliased.steps, 50);
    assert.deepEqual(
      aliased.params.map((p) => p.name),
      ['width'],
    );
    assert.deepEqual(
      aliased.observables.map((o) => [o.name, o.every]),
      [['norm', 2]],
    );
    assert.deepEqual(
      aliased.predictions.map((p) => [p.name, p.observable, p.score, p.tolerance]),
      [['normTheory', 'norm', 'r2log', 0.99]],
    );
  });

  it('recognises decorators used through a namespace import', () => {
    const namespaced = onlyExperiment('namespace');
    assert.equal(namespaced.steps, 30);
    assert.deepEqual(
      namespaced.params.map((p) => [p.name, p.default]),
      [['depth', 3]],
    );
    assert.deepEqual(
      namespaced.observables.map((o) => [o.name, o.every, o.atEnd]),
      [['accuracy', null, true]],
    );
    assert.deepEqual(
      namespaced.predictions.map((p) => [p.name, p.score, p.tolerance]),
      [['chance', 'r2', 0.1]],
    );
  });

  it('evaluates constant arithmetic in defaults and in steps', () => {
    const constants = onlyExperiment('constantDefaults');
    assert.equal(constants.steps, 1000);
    const defaults = Object.fromEntries(constants.params.map((p) => [p.name, [p.default, p.type]]));
    assert.deepEqual(defaults, {
      lr: [1 / 500, 'number'],
      eps: [2 ** -10, 'number'],
      init: [1e-4 * 3, 'number'],
      shift: [-0.5, 'number'],
      plus: [7, 'number'],
      grouped: [12, 'number'],
      mixed: [[0.25, -2, 8], 'number[]'],
      empty: [[], 'number[]'],
      label: ['run-a', 'string'],
      typed: [3, 'number'],
      big: [1000, 'number'],
      hex: [16, 'number'],
    });
  });

  it('lists params with non-literal defaults as unknown, with an info at each default', () => {
    const discovery = discoverFixture('nonLiteralDefaults');
    const params = discovery.experiments[0].params.map((p) => [p.name, p.default, p.type]);
    assert.deepEqual(params, [
      ['width', undefined, 'unknown'],
      ['milestones', undefined, 'unknown'],
      ['lr', undefined, 'unknown'],
      ['halfWidth', undefined, 'unknown'],
    ]);
    const infos = discovery.diagnostics.map((d) => [
      d.code,
      d.severity,
      d.range.start.line,
      d.range.start.character,
    ]);
    assert.deepEqual(infos, [
      ['param-default-not-literal', 'info', 10, 17],
      ['param-default-not-literal', 'info', 11, 22],
      ['param-default-not-literal', 'info', 12, 14],
      ['param-default-not-literal', 'info', 13, 21],
    ]);
    assert.match(
      discovery.diagnostics[0].message,
      /'width' is not a literal; it will be known when the experiment runs/,
    );
  });

  it('ignores decorators that do not come from learning-mechanics', () => {
    const { experiments, diagnostics } = discoverFixture('otherModules');
    assert.equal(experiments.length, 1);
    assert.deepEqual(experiments[0].params, []);
    assert.deepEqual(experiments[0].observables, []);
    assert.deepEqual(diagnostics, []);
  });

  it('ignores a class decorated @experiment when experiment is not imported from learning-mechanics', () => {
    const text = "import { experiment } from './elsewhere';\n@experiment({ steps: 0 }) export class X {}\n";
    assert.deepEqual(discover(text), { experiments: [], diagnostics: [] });
  });

  it('ignores type-only imports of the decorators', () => {
    const text = "import type { experiment } from 'learning-mechanics';\n@experiment({}) export class X {}\n";
    assert.deepEqual(discover(text).experiments, []);
  });

  it('finds nothing in an empty file', () => {
    assert.deepEqual(discoverFixture('empty'), { experiments: [], diagnostics: [] });
  });

  it('reads an anonymous default-exported experiment under the name default, ranged at its decorator', () => {
    const text =
      "import { experiment } from 'learning-mechanics';\n@experiment({ steps: 3 })\nexport default class {\n  step() {}\n}\n";
    const [experiment] = discover(text).experiments;
    assert.equal(experiment.name, 'default');
    assert.equal(experiment.exported, true);
    assert.deepEqual(experiment.nameRange, experiment.decoratorRange);
    assert.deepEqual(experiment.decoratorRange.start, { line: 1, character: 0 });
  });
});

describe('findObservableAt', () => {
  const discovery = discoverFixture('deepLinear');

  it('finds the observable whose name contains the position, with its experiment', () => {
    const hit = findObservableAt(discovery, 27, 31);
    assert.equal(hit?.observable.name, 'modes');
    assert.equal(hit?.experiment.name, 'DeepLinear');
  });

  it('includes both ends of the name', () => {
    assert.equal(findObservableAt(discovery, 23, 29)?.observable.name, 'loss');
    assert.equal(findObservableAt(discovery, 23, 33)?.observable.name, 'loss');
  });

  it('finds nothing just outside a name, in an observable body, or on a param', () => {
    assert.equal(findObservableAt(discovery, 23, 28), undefined);
    assert.equal(findObservableAt(discovery, 23, 34), undefined);
    assert.equal(findObservableAt(discovery, 24, 10), undefined);
    assert.equal(findObservableAt(discovery, 5, 10), undefined);
  });
});
