import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { discoverSweeps } from '../../src/discovery/discover';

describe('discoverSweeps', () => {
  it('finds each @sweep of the decay fixture with its name, class and decorator line', () => {
    const file = path.join(__dirname, '..', 'fixtures', 'runner', 'decay.exp.ts');
    const sweeps = discoverSweeps(fs.readFileSync(file, 'utf8'), file);
    assert.deepEqual(
      sweeps.map((s) => [s.name, s.experiment, s.range.start.line, s.range.start.character]),
      [
        ['rates', 'Decay', 3, 0],
        ['slow', 'Decay', 8, 0],
      ],
    );
  });

  it('recognises an alias and a namespace import, and nothing from other modules or without a name', () => {
    const text = [
      "import { sweep as grid } from 'learning-mechanics';",
      "import * as lm from 'learning-mechanics';",
      "import { sweep } from 'elsewhere';",
      "@grid('a', {}) @lm.sweep(`b`) @sweep('c') @grid(name) @lm.experiment({})",
      'export class E {}',
    ].join('\n');
    assert.deepEqual(
      discoverSweeps(text).map((s) => [s.name, s.experiment]),
      [
        ['a', 'E'],
        ['b', 'E'],
      ],
    );
    assert.deepEqual(discoverSweeps("import { sweep } from 'x';\n@sweep('a') class A {}"), []);
  });
});
