import { exampleText } from './workspace';

/**
 * The deep linear example with `steps` steps. Its 4000 steps take a tenth of a second with step replay, too
 * short to watch in the status bar; 2,000,000 take ~15 s from the command line (the prediction curves, one point
 * per sample, are computed before the first step). `replay: false` runs every step through tfjs (~5000 steps/s).
 */
export function deepLinearWithSteps(steps: number, replay = true): string {
  const text = exampleText('deepLinear.exp.ts');
  const longer = text.replace(/steps: 4000\b/, `steps: ${steps}${replay ? '' : ', replay: false'}`);
  if (longer === text)
    throw new Error("templates/deepLinear.exp.ts no longer says 'steps: 4000'; update fixtures.ts");
  return longer;
}

/**
 * The deep linear example for a minute or more: 400,000 steps with step replay off (`@experiment({ replay:
 * false })`), every step through tfjs, long enough to watch and to stop.
 */
export const slowDeepLinear = () => deepLinearWithSteps(400_000, false);

/** An experiment that compiles and then throws in `step` at step 5, on the line that says so. */
export const THROWS_AT_STEP_5 = `import { experiment, observable, param } from 'learning-mechanics';

@experiment({ title: 'Fails on purpose at step 5', steps: 50 })
export class FailsOnPurpose {
  @param rate = 0.1;
  level = 1;

  step(t: number) {
    if (t === 5) throw new Error('deliberate failure at step 5');
    this.level *= 1 - this.rate;
  }

  @observable({ every: 1 }) value(): number {
    return this.level;
  }
}
`;

/** An experiment whose file does not compile: a syntax error on the line that says so. */
export const DOES_NOT_COMPILE = `import { experiment, observable, param } from 'learning-mechanics';

@experiment({ title: 'Does not compile', steps: 50 })
export class DoesNotCompile {
  @param rate = 0.1;
  level = 1;

  step() {
    this.level *= 1 - ; // deliberate syntax error
  }

  @observable({ every: 1 }) value(): number {
    return this.level;
  }
}
`;
