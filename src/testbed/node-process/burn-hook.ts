/**
 * A test-only hook in every testbed node process, for checking cost collection end to end: on
 * SIGUSR2 the node reads `<node-dir>/burn.json` ({"ms": N}), keeps one core busy in its own
 * event loop for N ms (in 20 ms slices, so it still serves), then writes `<node-dir>/burned.json`
 * with the CPU the kernel charged the process meanwhile (process.cpuUsage) and the wall times.
 * Nothing happens without the signal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';

export const BURN_SIGNAL = 'SIGUSR2';

export interface BurnResult {
  startMs: number;
  endMs: number;
  cpuSeconds: number;
}

export function installBurnHook(dir: string, log: (m: string) => void): void {
  process.on(BURN_SIGNAL, () => {
    let ms: number;
    try {
      ms = Number((JSON.parse(readFileSync(join(dir, 'burn.json'), 'utf8')) as { ms?: unknown }).ms);
    } catch {
      log('burn: no readable burn.json');
      return;
    }
    if (!(ms > 0 && ms <= 600_000)) return;
    const startMs = Date.now();
    const cpu0 = process.cpuUsage();
    const slice = (): void => {
      const until = Math.min(Date.now() + 20, startMs + ms);
      let x = 0;
      while (Date.now() < until) x += Math.sqrt(x + 1);
      if (Date.now() < startMs + ms) {
        setImmediate(slice);
        return;
      }
      const used = process.cpuUsage(cpu0);
      const result: BurnResult = { startMs, endMs: Date.now(), cpuSeconds: (used.user + used.system) / 1e6 };
      void writeFileAtomic(join(dir, 'burned.json'), `${JSON.stringify(result)}\n`);
    };
    slice();
  });
}
