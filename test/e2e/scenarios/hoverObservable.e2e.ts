import { eventually } from '../eventually';
import { useLab } from '../harness';
import { positionOf } from '../workspace';

describe('hovering an observable after a run', () => {
  const lab = useLab({ name: 'hover modes' });

  it('shows the latest values of `modes`, the step and a sparkline', async () => {
    const { workbench } = lab();
    await workbench.openFile('deepLinear.exp.ts');
    await workbench.runCommand('Learning Mechanics: Run Experiment');
    await lab().waitForRun('completed');
    const declaration = positionOf(lab().readFile('deepLinear.exp.ts'), /@observable\b.*\b(modes)\(\)/, 1);
    let text = '';
    await eventually(
      'the hover over `modes` shows no step and sparkline of the last run',
      async () => {
        const hover = await workbench.hover(declaration);
        text = await hover.innerText();
        const sparklines = await hover.locator('img[src^="data:image/"]').count();
        return /step \d+\/4000/.test(text) && sparklines > 0;
      },
      async () => `hover text: ${text}`,
      { timeout: 30_000, interval: 1000 },
    );
    await workbench.screenshot('hover over modes');
  });
});
