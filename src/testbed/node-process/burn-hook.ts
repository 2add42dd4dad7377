/**
 * A test-only hook in every testbed node process, for checking cost collection end to end: on
 * SIGUSR2 the node reads `<node-dir>/burn.json` ({"cpuMs": N}), keeps its event loop busy (in
 * 20 ms slices, so it still serves) until the kernel has charged the process N ms more CPU
 * (process.cpuUsage; at most 60 s of wall time, so a starved machine still ends), then writes
 * `<node-dir>/burned.json` with the CPU charged meanwhile and the wall times. A CPU amount, not
 * a wall time, so the figure to check is known however loaded the machine is. Nothing happens
 * without the signal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';

export const BURN_SIGNAL = 'SIGUSR2';
const MAX_WALL_MS = 60_000;

export interface BurnResult {
  startMs: number;
  endMs: number;
  cpuSeconds: number;
}

export function installBurnHook(dir: string, log: (m: string) => void): void {
  process.on(BURN_SIGNAL, () => {
    let cpuMs: number;
    try {
      cpuMs = Number((JSON.parse(readFileSync(join(dir, 'burn.json'), 'utf8')) as { cpuMs?: unknown }).cpuMs);
    } catch {
      log('burn: no readable burn.json');
      return;
    }
    if (!(cpuMs > 0 && cpuMs <= 60_000)) return;
    const startMs = Date.now();
    const cpu0 = process.cpuUsage();
    const usedMs = (): number => {
      const u = process.cpuUsage(cpu0);
      return (u.user + u.system) / 1000;
    };
    const slice = (): void => {
      const until = Date.now() + 20;
      let x = 0;
      while (Date.now() < until) x += Math.sqrt(x + 1);
      if (usedMs() < cpuMs && Date.now() < startMs + MAX_WALL_MS) {
        setImmediate(slice);
        return;
      }
      const result: BurnResult = { startMs, endMs: Date.now(), cpuSeconds: usedMs() / 1000 };
      void writeFileAtomic(join(dir, 'burned.json'), `${JSON.stringify(result)}\n`);
    };
    slice();
  });
}
