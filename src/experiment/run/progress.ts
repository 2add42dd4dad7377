/**
 * The sweep's progress: on a terminal, one status line (run i of N, its step or the driver's
 * phase, ETA) plus a line per finished run; otherwise one JSON object per event, for logs and CI.
 */
import type { SweepEvent } from './sweep-events.js';

/**
 * ETA from the plan's estimates, scaled by how the finished runs compared with theirs; the run in
 * progress counts down from its estimate as it goes (never below zero).
 */
export class EtaTracker {
  private remainingS = 0;
  private estimatedDoneS = 0;
  private actualDoneS = 0;
  private readonly estimates = new Map<number, number>();
  private current: { estimatedS: number; startedMs: number } | undefined;

  start(totalS: number): void {
    this.remainingS = totalS;
  }
  runStarted(index: number, estimatedS: number, atMs = 0): void {
    this.estimates.set(index, estimatedS);
    this.current = { estimatedS, startedMs: atMs };
  }
  runEnded(index: number, actualS: number): void {
    const est = this.estimates.get(index) ?? 0;
    this.remainingS = Math.max(0, this.remainingS - est);
    this.estimatedDoneS += est;
    this.actualDoneS += actualS;
    this.current = undefined;
  }
  /** Seconds left: after the runs finished so far, less what the current run has done by nowMs. */
  etaS(nowMs?: number): number {
    const scale = this.estimatedDoneS > 0 ? this.actualDoneS / this.estimatedDoneS : 1;
    const c = this.current;
    const spent =
      c === undefined || nowMs === undefined
        ? 0
        : Math.min(c.estimatedS, Math.max(0, (nowMs - c.startedMs) / 1000));
    return (this.remainingS - spent) * scale;
  }
}

export function formatSeconds(s: number): string {
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

export function progressReporter(opts: {
  tty: boolean;
  write: (s: string) => void;
  now: () => number;
}): (e: SweepEvent) => void {
  const eta = new EtaTracker();
  let total = 0;
  let current: string | undefined;
  let step = '';
  const status = (): void => {
    if (opts.tty && current !== undefined)
      opts.write(`\r\x1b[2K${current} ${step} | ETA ${formatSeconds(eta.etaS(opts.now()))}`);
  };
  return (e) => {
    if (e.kind === 'sweep-start') {
      total = e.runs;
      eta.start(e.estimatedS);
    } else if (e.kind === 'run-start') {
      eta.runStarted(e.index, e.estimatedS, opts.now());
      const f = e.factors;
      current = `run ${e.index + 1} of ${total} (${e.runId}: OPS ${f.OPS} NCA ${f.NCA} POP ${f.POP} NNA ${f.NNA} NKA ${f.NKA})`;
      step = 'start';
    } else if (e.kind === 'run-end') {
      eta.runEnded(e.index, e.seconds);
      current = undefined;
    }
    if (!opts.tty) {
      if (e.kind === 'tick') return;
      opts.write(
        `${JSON.stringify({ t: new Date(opts.now()).toISOString(), ...e, ...(e.kind === 'run-end' || e.kind === 'sweep-start' ? { etaS: Math.round(eta.etaS()) } : {}) })}\n`,
      );
      return;
    }
    switch (e.kind) {
      case 'sweep-start':
        opts.write(
          `sweep ${e.sweepId}: ${e.todo} of ${e.runs} runs to do, ~${formatSeconds(e.estimatedS)}${e.seed === null ? '' : `, seed ${e.seed}`}; results in ${e.dir}\n`,
        );
        break;
      case 'step':
        step = e.step;
        status();
        break;
      case 'drive-phase':
        step = `drive: ${e.phase}`;
        status();
        break;
      case 'tick':
        status();
        break;
      case 'run-end': {
        const ratio =
          e.achievedRatio === null ? '' : `, cruise OPS ${(e.achievedRatio * 100).toFixed(1)}% of target`;
        const why = [...e.reasons, ...e.slosFailed.map((s) => `SLO ${s}`)];
        opts.write(
          `\r\x1b[2Krun ${e.index + 1} of ${total} ${e.runId}: ${e.status === 'interrupted' ? 'interrupted' : e.validity} in ${formatSeconds(e.seconds)}${ratio}${why.length === 0 ? '' : ` [${why.join(', ')}]`}${e.error === null ? '' : ` (${e.error})`}\n`,
        );
        break;
      }
      case 'message':
        opts.write(`\r\x1b[2K${e.text}\n`);
        break;
      case 'sweep-end':
        opts.write(
          `\r\x1b[2Ksweep done: ${e.completed} completed (${e.valid} valid, ${e.invalid} invalid), ${e.failed} failed, ${e.skipped} already recorded\n`,
        );
        break;
      default:
        break;
    }
  };
}
