import seedrandom from 'seedrandom';

/**
 * Makes `Math.random` a generator seeded by `seed`. tfjs draws the seed of every unseeded random op
 * (randomNormal, randomUniform, initializers) from `Math.random`, so the same seed gives the same run.
 */
export function seedEverything(seed: number): void {
  Math.random = seedrandom(`learning-mechanics:${seed}`);
}
