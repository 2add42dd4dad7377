/**
 * The one seeded PRNG of kos-test (mulberry32, pure: the same sequence on every platform for one
 * seed), so that driver plans, run orders, fabric delays and test fixtures replay from a number.
 */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh seed for a run or a sweep that was given none: below 2^31, so a search from it stays a valid seed. */
export function randomSeed(random: Random = Math.random): number {
  return Math.floor(random() * 2 ** 31);
}

/** A whole number in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/** Fisher-Yates, in place. */
export function shuffleInPlace(a: Int32Array, random: Random): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const t = a[i] ?? 0;
    a[i] = a[j] ?? 0;
    a[j] = t;
  }
  return a;
}
