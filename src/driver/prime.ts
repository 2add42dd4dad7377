/**
 * Primes the hot path before the schedule starts: cheap `GET /version` requests through the same
 * keep-alive client the creates use. A fresh process runs its first few thousand requests in
 * unoptimised code and opens its connections on demand, which made the first second of a run
 * 5-10x later than the rest (p99 8-15 ms vs 2 ms at 5,000/s). Load tools warm up before they
 * measure for the same reason. Failures are counted, never fatal: the run's own setup already
 * proved the target reachable.
 */
import type { LeanHttp } from '../kube/lean-http.js';

export interface PrimeResult {
  sent: number;
  failed: number;
  ms: number;
}

/** Every apiserver answers it, to anyone, from memory. */
export const PRIME_PATH = '/version';

export async function primeHotPath(
  http: Pick<LeanHttp, 'send'>,
  requests: number,
  concurrency: number,
  now: () => number = () => performance.now(),
): Promise<PrimeResult> {
  const t0 = now();
  let next = 0;
  let failed = 0;
  const lane = async (): Promise<void> => {
    while (next < requests) {
      next++;
      await http.send('GET', PRIME_PATH).catch(() => {
        failed++;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, requests)) }, lane));
  return { sent: requests, failed, ms: now() - t0 };
}
