import type { RunnerMessageOf } from '../protocol/runner';
import type { SeriesData } from '../store/seriesData';

const INITIAL_CAPACITY = 256;

/** One series growing as samples stream in; `view()` exposes the filled part without copying. */
class GrowingSeries {
  private step = new Float64Array(INITIAL_CAPACITY);
  private value = new Float64Array(INITIAL_CAPACITY);
  private wall = new Float64Array(INITIAL_CAPACITY);
  private length = 0;

  push(step: number, value: number, wall: number): void {
    if (this.length === this.step.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      [this.step, this.value, this.wall] = [grow(this.step), grow(this.value), grow(this.wall)];
    }
    this.step[this.length] = step;
    this.value[this.length] = value;
    this.wall[this.length] = wall;
    this.length++;
  }

  view(): SeriesData {
    const n = this.length;
    return {
      step: this.step.subarray(0, n),
      value: this.value.subarray(0, n),
      wall: this.wall.subarray(0, n),
    };
  }
}

/** The full-resolution series of a live run, as the host receives them from the runner. */
export class LiveSeries {
  private readonly series = new Map<string, GrowingSeries>();

  append(batch: RunnerMessageOf<'samples'>): void {
    for (let i = 0; i < batch.series.length; i++) {
      let s = this.series.get(batch.series[i]);
      if (!s) this.series.set(batch.series[i], (s = new GrowingSeries()));
      s.push(batch.step[i], batch.value[i], batch.wall[i]);
    }
  }

  /** Every series, as views valid until the next append. */
  views(): Map<string, SeriesData> {
    return new Map([...this.series].map(([name, s]) => [name, s.view()]));
  }
}
