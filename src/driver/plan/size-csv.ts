/**
 * The `--estimate` outputs (pure): the size CSV (`i,size`, one row per VN) and the outline CSV,
 * which keeps only the first and last row of each run of equal sizes, so a plot of a long tail
 * of size-1 VNs stays small.
 */
export function sizeCsv(sizes: readonly number[]): string {
  return ['i,size', ...sizes.map((s, k) => `${k + 1},${s}`)].join('\n') + '\n';
}

export function outlineCsv(sizes: readonly number[]): string {
  const rows = ['i,size'];
  sizes.forEach((s, k) => {
    const interior = k > 0 && k < sizes.length - 1 && sizes[k - 1] === s && sizes[k + 1] === s;
    if (!interior) rows.push(`${k + 1},${s}`);
  });
  return rows.join('\n') + '\n';
}
