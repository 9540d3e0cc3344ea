import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { eventually } from '../eventually';
import { useLab } from '../harness';
import { REPO_ROOT } from '../workspace';

const DECAY = fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'runner', 'decay.exp.ts'), 'utf8');

describe('a sweep from the editor', () => {
  const lab = useLab({ name: 'sweep', files: { 'decay.exp.ts': DECAY } });

  /** Waits for the quick input a command opened, told apart from the palette (and each other) by its title. */
  async function waitForInput(titled: string): Promise<void> {
    const { workbench } = lab();
    const title = workbench.page.locator('.quick-input-widget .quick-input-title');
    await eventually(
      `no quick input titled "${titled}" opened`,
      async () => (await workbench.quickInputOpen()) && (await title.innerText()).includes(titled),
      async () => `the quick input says: ${await title.innerText().catch(() => '(none)')}`,
    );
  }

  /**
   * Enter on the focused row once it is `label` (the picker's own Enter: the workbench helper waits for the
   * quick input to close, and Run Sweep opens its next input box at once).
   */
  async function choose(label: string): Promise<void> {
    const { workbench } = lab();
    const focused = workbench.page.locator('.quick-input-widget .monaco-list-row.focused .label-name');
    await eventually(`the picker did not focus "${label}"`, async () =>
      (await focused.count()) > 0 ? (await focused.first().innerText()).trim() === label : false,
    );
    await workbench.page.keyboard.press('Enter');
  }

  it('runs the fixture sweep from the palette and shows its points in the sweep panel', async () => {
    const { workbench } = lab();
    await workbench.openFile('decay.exp.ts');
    await workbench.runCommand('Learning Mechanics: Run Sweep...');
    // Two sweeps are declared: the picker offers them, 'rates' first.
    await waitForInput('Run which sweep?');
    await choose('rates');
    // Grid overrides (none), then workers (the default): Enter on each input box.
    for (const prompt of ['grid overrides', 'workers']) {
      await waitForInput(prompt);
      await workbench.page.keyboard.press('Enter');
    }
    await eventually('the workers input did not close', async () => !(await workbench.quickInputOpen()));
    const panel = await workbench.webview('[data-key="summary:value@rate"]', 120_000);
    const header = await eventually(
      'the sweep panel never said 6/6 points done',
      async () => {
        const text = (await panel.locator('.panel-header').innerText()).replace(/\s+/g, ' ');
        return /6\/6 points done/.test(text) ? text : undefined;
      },
      async () => `header: ${await panel.locator('.panel-header').innerText()}`,
      { timeout: 180_000 },
    );
    assert.match(header, /Decay · sweep rates/);
    const keys = await panel
      .locator('section.card[data-key]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
    assert.deepEqual(keys, [
      'summary:value@rate',
      'summary:pair[0]@rate',
      'summary:pair[1]@rate',
      'curves:value',
      'curves:pair[0]',
      'curves:pair[1]',
    ]);
    const tagged = lab()
      .runs()
      .filter((r) => r.manifest?.sweep);
    assert.equal(tagged.length, 6, 'six runs tagged with the sweep');
    assert.ok(tagged.every((r) => r.manifest!.status === 'completed'));
    const status = (await workbench.statusBarTexts()).join(' | ');
    assert.doesNotMatch(status, /rates \d+\/6/, `the sweep left the status bar: ${status}`);
    await workbench.screenshot('sweep panel');
  });

  it('restores the sweep panel after a window reload', async () => {
    const { workbench } = lab();
    await workbench.reloadWindow();
    const panel = await workbench.webview('[data-key="summary:value@rate"]', 60_000);
    await eventually(
      'the restored panel shows no canvas',
      async () => (await panel.locator('canvas').count()) >= 6,
    );
    await workbench.screenshot('sweep panel restored');
  });

  it('Stop Sweep stops the running points and keeps what they recorded', async () => {
    const { workbench } = lab();
    await workbench.openFile('decay.exp.ts');
    await workbench.runCommand('Learning Mechanics: Run Sweep...');
    await waitForInput('Run which sweep?');
    await workbench.page.keyboard.type('slow');
    await choose('slow');
    // 1 s a step: each of the 2 points (failAt -1 and 30) runs 30 s or more, long enough to stop them.
    for (const [prompt, text] of [
      ['grid overrides', 'delayMs=1000'],
      ['workers', ''],
    ]) {
      await waitForInput(prompt);
      if (text) await workbench.page.keyboard.type(text);
      await workbench.page.keyboard.press('Enter');
    }
    await eventually(
      'the status bar never showed the slow sweep with 2 points running',
      async () => (await workbench.statusBarTexts()).some((t) => /slow 0\/2 done, 2 running/.test(t)),
      async () => `status bar: ${(await workbench.statusBarTexts()).join(' | ')}`,
      { timeout: 60_000 },
    );
    await eventually('no run has recorded a sample yet', async () =>
      lab()
        .runs()
        .some((r) => r.manifest?.sweep && r.manifest.status === 'running' && r.manifest.step > 0),
    );
    await workbench.runCommand('Learning Mechanics: Stop Sweep');
    const sweeps = path.join(lab().workspace, '.lab', 'runs', 'sweeps');
    const records = () =>
      fs.readdirSync(sweeps).flatMap((id) =>
        fs.readdirSync(path.join(sweeps, id, 'points')).map((f) => ({
          id,
          ...(JSON.parse(fs.readFileSync(path.join(sweeps, id, 'points', f), 'utf8')) as {
            state: string;
            runId: string | null;
          }),
        })),
      );
    const slow = await eventually(
      'the slow sweep points did not become cancelled',
      async () => {
        const all = records();
        const ids = [...new Set(all.map((r) => r.id))];
        const points = ids.map((id) => all.filter((r) => r.id === id));
        return points.find((rs) => rs.length === 2 && rs.every((r) => r.state === 'cancelled'));
      },
      async () => `points: ${JSON.stringify(records())}`,
      { timeout: 30_000 },
    );
    const runs = lab().runs();
    for (const point of slow) {
      const run = runs.find((r) => r.id === point.runId);
      assert.equal(run?.manifest?.status, 'cancelled', `run ${point.runId}`);
      assert.ok(run!.manifest!.step > 0, 'the cancelled run kept its steps');
    }
    const panel = await workbench.webview('[data-key^="curves:"]', 30_000);
    await eventually(
      'the panel does not say both points were cancelled and the sweep stopped',
      async () =>
        /0\/2 points done · 2 cancelled · stopped/.test(await panel.locator('.panel-header').innerText()),
      async () => `header: ${await panel.locator('.panel-header').innerText()}`,
    );
    await workbench.screenshot('sweep stopped');
  });
});
