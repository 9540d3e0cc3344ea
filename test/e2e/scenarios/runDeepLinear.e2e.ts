import { strict as assert } from 'node:assert';
import { ChartPanel } from '../chartPanel';
import { eventually } from '../eventually';
import { deepLinearWithSteps } from '../fixtures';
import { useLab } from '../harness';

describe('running the deep linear example from the Command Palette', () => {
  // Long enough (~15-30 s) for the status bar to show the run going, with step replay on.
  const lab = useLab({
    name: 'run deep linear',
    files: { 'deepLinear.exp.ts': deepLinearWithSteps(2_000_000) },
  });

  it('shows the step count and the compute path (blas + step replay) in the status bar while it runs', async () => {
    const { workbench } = lab();
    await workbench.openFile('deepLinear.exp.ts');
    await workbench.runCommand('Learning Mechanics: Run Experiment');
    const progress = await eventually(
      'the status bar shows no run progress like "1234/2000000 · ... · blas + replay"',
      async () => {
        const shown = await workbench.runProgress();
        return shown && /· blas \+ replay/.test(shown.text) && shown;
      },
      async () => `status bar: ${(await workbench.statusBarTexts()).join(' | ')}`,
      // The 200,000 prediction-curve points are computed before the first step: ~15 s, more under load.
      { timeout: 90_000, interval: 100 },
    );
    assert.equal(progress.steps, 2_000_000, progress.text);
    await workbench.screenshot(`running ${progress.step} of ${progress.steps}`);
  });

  it('opens the chart panel beside the code with a chart per observable', async () => {
    const { workbench } = lab();
    const panel = await ChartPanel.find(workbench, 20_000);
    await panel.card('modes').waitFor();
    const observables = await panel.observables();
    assert.ok(
      observables.includes('loss') && observables.includes('modes'),
      `cards: ${observables.join(', ')}`,
    );
    await workbench.screenshot('chart panel');
  });

  it('ends with the saxe prediction over the modes and a PASS badge', async () => {
    const { workbench } = lab();
    const run = await lab().waitForRun('completed');
    assert.equal(run.manifest!.experiment, 'DeepLinear');
    const panel = await ChartPanel.find(workbench);
    const badge = await panel.waitForBadge('modes', 'saxe', 'PASS');
    await workbench.screenshot(`completed ${badge}`);
  });
});
