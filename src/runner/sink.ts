import type { RunnerMessage } from '../protocol/runner';
import type { Sample } from '../protocol/series';

/** Where samples go: the run's series file, and the host. */
export interface SampleTarget {
  append(samples: readonly Sample[]): void;
  flush(): void;
}

/**
 * Batches samples: they are written to the store and sent to the host together, when `batchSize` samples
 * wait or `batchMs` passed since the last batch (checked by the loop), never one message per sample.
 */
export class SampleSink {
  private pending: Sample[] = [];
  private last = performance.now();

  constructor(
    private readonly target: SampleTarget,
    private readonly send: (message: RunnerMessage) => void,
    private readonly batchMs: number,
    private readonly batchSize: number,
  ) {}

  push(sample: Sample): void {
    this.pending.push(sample);
    if (this.pending.length >= this.batchSize) this.flush();
  }

  /** Flushes when the oldest waiting sample is older than `batchMs`; returns whether it did. */
  tick(now = performance.now()): boolean {
    if (now - this.last < this.batchMs) return false;
    this.flush(now);
    return true;
  }

  flush(now = performance.now()): void {
    this.last = now;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.target.append(batch);
    this.target.flush();
    this.send({
      type: 'samples',
      series: batch.map((s) => s.series),
      step: batch.map((s) => s.step),
      value: batch.map((s) => s.value),
      wall: batch.map((s) => s.wall),
    });
  }
}
