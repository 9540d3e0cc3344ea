import { strict as assert } from 'node:assert';
import { eventually } from '../eventually';
import { useLab } from '../harness';
import { DOES_NOT_COMPILE, THROWS_AT_STEP_5 } from '../fixtures';
import type { Problem } from '../workbench';
import { positionOf } from '../workspace';

describe('a broken experiment puts its error in the Problems panel', () => {
  const lab = useLab({
    name: 'broken experiment',
    files: { 'throws.exp.ts': THROWS_AT_STEP_5, 'doesNotCompile.exp.ts': DOES_NOT_COMPILE },
  });

  /** Runs a file and waits for a Learning Mechanics problem on it whose message matches. */
  async function runAndFindProblem(file: string, message: RegExp): Promise<Problem> {
    const { workbench } = lab();
    await workbench.openFile(file);
    await workbench.runCommand('Learning Mechanics: Run Experiment');
    let seen: Problem[] = [];
    return eventually(
      `no Learning Mechanics problem matching ${message} on ${file}`,
      async () => {
        seen = await workbench.problems();
        return seen.find(
          (p) => p.file === file && message.test(p.message) && /Learning Mechanics/.test(p.source ?? ''),
        );
      },
      async () =>
        `problems: ${seen.map((p) => `${p.file}:${p.line} [${p.source}] ${p.message}`).join(' | ') || 'none'}`,
      { timeout: 60_000, interval: 1000 },
    );
  }

  it('a runtime error: at the line of the throw', async () => {
    const problem = await runAndFindProblem('throws.exp.ts', /deliberate failure at step 5/);
    assert.equal(problem.line, positionOf(THROWS_AT_STEP_5, /throw new Error/).line);
    // The chart the run opened draws what was recorded before the failure (steps 0-4), not a blank panel.
    const chart = await lab().workbench.webview('.chart-card[data-observable="value"] canvas');
    assert.match(await chart.locator('body').innerText(), /failed/i);
    await lab().workbench.screenshot('runtime error in problems');
  });

  it('a compile error: at the line of the syntax error', async () => {
    const problem = await runAndFindProblem('doesNotCompile.exp.ts', /Unexpected/);
    assert.equal(problem.line, positionOf(DOES_NOT_COMPILE, /deliberate syntax error/).line);
    await lab().workbench.screenshot('compile error in problems');
  });
});
