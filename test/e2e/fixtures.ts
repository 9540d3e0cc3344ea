import { exampleText } from './workspace';

/** The deep linear example with 100x the steps: it runs for minutes, long enough to watch and to stop. */
export function slowDeepLinear(): string {
  const text = exampleText('deepLinear.exp.ts');
  const slowed = text.replace(/steps: 4000\b/, 'steps: 400000');
  if (slowed === text)
    throw new Error("templates/deepLinear.exp.ts no longer says 'steps: 4000'; update fixtures.ts");
  return slowed;
}

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
