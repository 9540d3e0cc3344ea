import { formatSeconds, num } from '../series/format';

/** A one-line progress bar on a terminal: bar, step/steps, steps per second, ETA. Silent when not a TTY. */
export class ProgressBar {
  private lastDraw = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
  ) {}

  update(step: number, steps: number, stepsPerSecond: number | null): void {
    if (!this.stream.isTTY) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && step < steps) return;
    this.lastDraw = now;
    const width = 30;
    const fraction = steps > 0 ? Math.min(1, step / steps) : 1;
    const filled = Math.round(fraction * width);
    const eta = stepsPerSecond ? `ETA ${formatSeconds((steps - step) / stepsPerSecond)}` : '';
    const rate = stepsPerSecond ? `${num(stepsPerSecond)} steps/s` : '';
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    this.stream.write(`\r${this.label} ${bar} ${step}/${steps}  ${rate}  ${eta}\x1b[K`);
  }

  clear(): void {
    if (this.stream.isTTY) this.stream.write('\r\x1b[K');
  }
}
