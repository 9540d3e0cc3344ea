import seedrandom from 'seedrandom';

/** Seeded standard normal samples for tests: seedrandom's generator through Box-Muller. */
export function gaussian(seed: number): () => number {
  const uniform = seedrandom(`test:${seed}`);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
