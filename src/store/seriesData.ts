/**
 * One series' samples as parallel columns, in append order: sample `i` is
 * `(step[i], value[i], wall[i])`, with `wall` in seconds since the training loop began.
 */
export interface SeriesData {
  step: Float64Array;
  value: Float64Array;
  wall: Float64Array;
}

/** Inclusive step bounds; a missing bound is unbounded. */
export interface StepRange {
  from?: number;
  to?: number;
}

const INITIAL_CAPACITY = 64;

/** Collects samples into growing Float64Array columns (capacity doubles), then trims them to length. */
export class SeriesBuilder {
  private step = new Float64Array(INITIAL_CAPACITY);
  private value = new Float64Array(INITIAL_CAPACITY);
  private wall = new Float64Array(INITIAL_CAPACITY);
  private length = 0;

  push(step: number, value: number, wall: number): void {
    if (this.length === this.step.length) this.grow();
    const i = this.length++;
    this.step[i] = step;
    this.value[i] = value;
    this.wall[i] = wall;
  }

  /** The collected columns, each exactly as long as the number of samples pushed. */
  finish(): SeriesData {
    const n = this.length;
    return { step: this.step.slice(0, n), value: this.value.slice(0, n), wall: this.wall.slice(0, n) };
  }

  private grow(): void {
    const capacity = this.step.length * 2;
    this.step = copyInto(new Float64Array(capacity), this.step);
    this.value = copyInto(new Float64Array(capacity), this.value);
    this.wall = copyInto(new Float64Array(capacity), this.wall);
  }
}

function copyInto(target: Float64Array<ArrayBuffer>, source: Float64Array): Float64Array<ArrayBuffer> {
  target.set(source);
  return target;
}
