import { sleep } from './processes';

export interface EventuallyOptions {
  timeout?: number;
  interval?: number;
}

/**
 * Polls `probe` until it returns something other than undefined, null or false, and returns that. On timeout
 * it throws `message`, followed by what `describe` says about the last state (for a useful failure).
 */
export async function eventually<T>(
  message: string,
  probe: () => Promise<T | undefined | null | false>,
  describe: () => Promise<string> = async () => '',
  { timeout = 30_000, interval = 250 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) {
      const state = await describe().catch((error: Error) => `(could not describe: ${error.message})`);
      throw new Error(`${message} (waited ${timeout} ms)${state ? `\n${state}` : ''}`);
    }
    await sleep(interval);
  }
}
