/**
 * Kubernetes resource quantities (`4`, `3500m`, `12Gi`, `12273828Ki`, `1e9`) as numbers (pure).
 * Node capacity comes in this form; the profile check compares CPUs and bytes.
 */
const SUFFIX: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY =
  /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** The quantity's value, or undefined when the text is not a quantity. */
export function parseQuantity(text: string): number | undefined {
  const m = QUANTITY.exec(text.trim());
  if (m === null) return undefined;
  const base = Number(m[1]);
  if (m[2] !== undefined) return Number(`${m[1]}${m[2]}`);
  return base * (SUFFIX[m[3] ?? ''] ?? 1);
}

export const GIB = 2 ** 30;

/** Bytes as GiB with at most two decimals, for messages. */
export function formatGiB(bytes: number): string {
  return `${Math.round((bytes / GIB) * 100) / 100} GiB`;
}
