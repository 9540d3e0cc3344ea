import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { readAllSeries } from '../../../src/store/seriesReader';
import { ChartPanel } from '../chartPanel';
import { eventually } from '../eventually';
import { useLab } from '../harness';
import { slowDeepLinear } from '../fixtures';

describe('a long run: live chart, then Stop Run keeps what was recorded', () => {
  const lab = useLab({ name: 'stop run', files: { 'slowDeepLinear.exp.ts': slowDeepLinear() } });

  it('draws new samples while the run goes', async () => {
    const { workbench } = lab();
    const statusBar = async () => `status bar: ${(await workbench.statusBarTexts()).join(' | ')}`;
    await workbench.openFile('slowDeepLinear.exp.ts');
    await workbench.runCommand('Learning Mechanics: Run Experiment');
    const panel = await ChartPanel.find(workbench, 20_000);
    await panel.card('modes').waitFor();
    const first = await eventually(
      'the status bar shows no run past step 0',
      async () => {
        const progress = await workbench.runProgress();
        return progress && progress.step > 0 && progress;
      },
      statusBar,
      { timeout: 60_000 },
    );
    const before = await panel.canvasImage('modes');
    const later = await eventually(
      `the run did not get 500 steps past step ${first.step}`,
      async () => {
        const progress = await workbench.runProgress();
        return progress && progress.step >= first.step + 500 && progress;
      },
      statusBar,
    );
    await eventually(
      'the modes chart did not change while the run went on',
      async () => !(await panel.canvasImage('modes')).equals(before),
    );
    await workbench.screenshot(`live at ${later.step} of ${later.steps}`);
  });

  it('"Learning Mechanics: Stop Run" ends the run as cancelled with its samples kept and still charted', async () => {
    const { workbench } = lab();
    await workbench.runCommand('Learning Mechanics: Stop Run');
    const run = await lab().waitForRun('cancelled', 20_000);
    const manifest = run.manifest!;
    assert.ok(manifest.step > 0 && manifest.step < manifest.steps, `stopped at step ${manifest.step}`);
    const modes0 = readAllSeries(path.join(run.dir)).get('modes[0]');
    assert.ok(modes0 && modes0.step.length > 1, `samples of modes[0] kept: ${modes0?.step.length ?? 0}`);
    await eventually(
      'the status bar still shows run progress after Stop Run',
      async () => (await workbench.runProgress()) === undefined,
    );
    const panel = await ChartPanel.find(workbench);
    assert.ok((await panel.observables()).includes('modes'), 'the chart panel lost its modes chart on stop');
    await workbench.screenshot(`stopped at step ${manifest.step}`);
  });
});
