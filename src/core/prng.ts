/**
 * A seeded pseudo-random source for traces, simulated list orders and the
 * demo plan: the same seed gives the same numbers on every machine, so each
 * is a pure function of its seed (never Math.random).
 */
export type Random = () => number;

/** mulberry32: a tiny 32-bit generator, good enough for workloads; values in [0, 1). */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/** A standard normal deviate (Box–Muller). */
function randomNormal(random: Random): number {
  const u = 1 - random(); // (0, 1]: log(0) never happens
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Log-normal around `median` (sigma is the spread of its logarithm). */
export function randomLogNormal(random: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * randomNormal(random));
}

/** An exponential deviate with this mean. */
export function randomExponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random());
}

/** A new array in a random order (Fisher–Yates). */
export function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const swap = out[i] as T;
    out[i] = out[j] as T;
    out[j] = swap;
  }
  return out;
}
