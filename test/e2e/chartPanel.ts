import type { Frame, Locator } from 'playwright-core';
import { eventually } from './eventually';
import type { Workbench } from './workbench';

/**
 * The chart panel's webview, by the classes the panel promises: one `.chart-card` per observable (with
 * `data-observable="<name>"`), and per prediction a `.badge` whose text names it and says PASS or FAIL.
 */
export class ChartPanel {
  private constructor(readonly frame: Frame) {}

  /** Waits for a webview of ours that shows at least one `.chart-card`. */
  static async find(workbench: Workbench, timeout = 30_000): Promise<ChartPanel> {
    return new ChartPanel(await workbench.webview('.chart-card', timeout));
  }

  cards(): Locator {
    return this.frame.locator('.chart-card');
  }

  card(observable: string): Locator {
    return this.frame.locator(`.chart-card[data-observable="${observable}"]`);
  }

  /** The observables that have a card, in order. */
  async observables(): Promise<string[]> {
    return this.cards().evaluateAll((els) => els.map((e) => e.getAttribute('data-observable') ?? '?'));
  }

  /** The badge texts of one card (whitespace collapsed). */
  async badges(observable: string): Promise<string[]> {
    const texts = await this.card(observable).locator('.badge').allInnerTexts();
    return texts.map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** Waits until a badge of `observable` names `prediction` and shows `verdict`; returns its text. */
  async waitForBadge(observable: string, prediction: string, verdict: 'PASS' | 'FAIL', timeout = 30_000) {
    let seen: string[] = [];
    return eventually(
      `the "${observable}" chart has no ${verdict} badge for "${prediction}"`,
      async () => {
        seen = await this.badges(observable);
        return seen.find((b) => b.includes(prediction) && b.includes(verdict));
      },
      async () =>
        `its badges: ${seen.length ? seen.join(' | ') : 'none'}; cards: ${(await this.observables()).join(', ')}`,
      { timeout },
    );
  }

  /** A PNG of one card's chart canvas, to tell whether it changed between two moments. */
  async canvasImage(observable: string): Promise<Buffer> {
    return this.card(observable).locator('canvas').first().screenshot();
  }
}
