/**
 * How `kos-test drive` reports while it runs: on a terminal one status line on stderr, redrawn
 * in place; otherwise JSON lines (one per log message, and progress every 10 s), quiet enough
 * for CI logs and easy to parse.
 */
import type { DriveProgress } from '../driver/run-drive.js';
import { formatSeconds } from '../experiment/run/progress.js';

export interface DriveReporter {
  log(message: string): void;
  progress(p: DriveProgress): void;
  end(): void;
}

export function driveReporter(stream: NodeJS.WriteStream = process.stderr): DriveReporter {
  if (stream.isTTY) {
    let drawn = false;
    const clear = (): void => {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    };
    return {
      log: (m) => {
        clear();
        stream.write(`${m}\n`);
      },
      progress: (p) => {
        clear();
        stream.write(progressLine(p));
        drawn = true;
      },
      end: () => {
        if (drawn) stream.write('\n');
        drawn = false;
      },
    };
  }
  let last = 0;
  return {
    log: (m) => stream.write(`${JSON.stringify({ t: new Date().toISOString(), msg: m })}\n`),
    progress: (p) => {
      const now = Date.now();
      if (p.phase !== 'done' && now - last < 10_000) return;
      last = now;
      stream.write(`${JSON.stringify({ t: new Date().toISOString(), progress: p })}\n`);
    },
    end: () => undefined,
  };
}

export function progressLine(p: DriveProgress): string {
  const p99 = p.p99Ms === null ? '-' : `${p.p99Ms.toFixed(1)} ms`;
  const waiting = p.waiting > 0 ? ` (${p.waiting} waiting for a connection)` : '';
  const eta = p.etaS === null ? '' : `  ETA ${formatSeconds(p.etaS)}`;
  return `${p.phase.padEnd(8)} ops ${p.opsDone}/${p.opsPlanned}  ${p.achievedRate.toFixed(1)} ops/s  in flight ${p.inFlight}${waiting}  fulfilled ${p.fulfilled}  p99 ${p99}${eta}`;
}
