/**
 * The driver's population shape (original-driver.md): VN i (from 1), in decreasing nominal size,
 * has ceil((1 + bias) * topNetSize / (i + bias)^exponent) slots.
 */
export interface PopulationShape {
  /** @default 10 */
  numNets: number;
  /** @default 100 */
  topNetSize: number;
  /** @default 1 */
  exponent: number;
  /** @default 0 */
  bias: number;
}

export const DEFAULT_SHAPE: PopulationShape = { numNets: 10, topNetSize: 100, exponent: 1, bias: 0 };

/** Nominal sizes of VNs 1..numNets. */
export function vnSizes(shape: PopulationShape): number[] {
  return Array.from({ length: shape.numNets }, (_, k) =>
    Math.ceil(((1 + shape.bias) * shape.topNetSize) / Math.pow(k + 1 + shape.bias, shape.exponent)),
  );
}

/** POP: the nominal cruise population. */
export function populationOf(sizes: readonly number[]): number {
  return sizes.reduce((a, b) => a + b, 0);
}

/** The expected nominal size of the VN of a uniformly random attachment: sum(s^2) / sum(s). */
export function avgPeers(sizes: readonly number[]): number {
  const total = populationOf(sizes);
  return total === 0 ? 0 : sizes.reduce((a, s) => a + s * s, 0) / total;
}
