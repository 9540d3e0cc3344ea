import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LawResult } from '../../src/sweep/laws/result';
import { readSweepLaws } from '../../src/sweep/sweepStore';
import { tempRunsDir } from './helpers';

/**
 * Every sweep template (templates/sweeps/), run by the built CLI with a reduced grid, seeds and steps: the sweep
 * completes, every law it declares is evaluated (a value, no problem), and the laws are stored in laws.json as
 * printed. The full-size runs, whose laws pass, are measured by hand (they take about a minute each).
 */
const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');
const SWEEPS = path.join(__dirname, '..', '..', 'templates', 'sweeps');

/** The reduced size of each template; a new template must add its line here. */
const REDUCED: Record<string, string[]> = {
  'criticalBatch.exp.ts': [
    '--grid',
    'batch=64,256,4096',
    '--grid',
    'lr=0.1,0.3',
    '--seeds',
    '1',
    '--steps',
    '300',
  ],
  'chinchilla.exp.ts': ['--grid', 'N=8,16,32', '--grid', 'D=64,128,256', '--steps', '200'],
  'scalingCollapse.exp.ts': ['--grid', 'N=16,32', '--seeds', '1', '--steps', '200'],
  'catapultPhases.exp.ts': ['--grid', 'lr=0.5,1.5,2.6', '--seeds', '1', '--steps', '100'],
  'edgeOfStability.exp.ts': ['--grid', 'lr=0.3,0.5', '--seeds', '1', '--steps', '200'],
  'dataScaling.exp.ts': ['--grid', 'n=64,128,256,512,1024,2048', '--seeds', '1', '--steps', '100'],
  'lrTransfer.exp.ts': [
    '--grid',
    'width=64,128',
    '--grid',
    'lr=0.001,0.01,0.1',
    '--seeds',
    '1',
    '--steps',
    '30',
  ],
};

interface SweepJson {
  id: string;
  dir: string;
  points: { state: string; error: string | null }[];
  laws: LawResult[];
}

describe('sweep templates', function () {
  this.timeout(600_000);
  const templates = fs.readdirSync(SWEEPS).filter((f) => f.endsWith('.exp.ts'));

  it('each has a reduced size here', () => {
    assert.deepEqual(
      templates.filter((t) => !(t in REDUCED)),
      [],
    );
  });

  for (const template of templates) {
    it(`${template}: completes reduced and evaluates every law`, () => {
      const runsDir = tempRunsDir();
      try {
        const args = [
          'sweep',
          path.join(SWEEPS, template),
          '--runs-dir',
          runsDir,
          '--json',
          '--workers',
          '2',
        ];
        const result = spawnSync(process.execPath, [CLI, ...args, ...(REDUCED[template] ?? [])], {
          encoding: 'utf8',
        });
        assert.equal(result.status, 0, result.stderr);
        const json = JSON.parse(result.stdout) as SweepJson;
        for (const p of json.points)
          assert.ok(['completed', 'diverged'].includes(p.state), p.error ?? p.state);
        assert.ok(json.laws.length > 0, 'the template declares no law');
        for (const law of json.laws) {
          assert.equal(law.problem, null, `${law.name}: ${law.problem}`);
          assert.equal(typeof law.value, 'number', law.name);
          assert.ok(law.points > 0, law.name);
          assert.ok(law.overlay, law.name);
        }
        assert.deepEqual(readSweepLaws(json.dir)?.laws, json.laws);
      } finally {
        fs.rmSync(runsDir, { recursive: true, force: true });
      }
    });
  }
});
