/** Small statistics the benchmarks share. */

/** The middle value of `values` (the upper one of the two middles for an even count); NaN when empty. */
export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
