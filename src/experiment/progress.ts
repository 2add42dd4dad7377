/**
 * The sweep's progress: on a terminal, one status line (runs done, current run and step, ETA)
 * plus a line per finished run; otherwise one JSON object per event, for logs and CI.
 */
import type { SweepEvent } from './sweep-events.js';

/** ETA from the plan's estimates, scaled by how the finished runs compared with theirs. */
export class EtaTracker {
  private remainingS = 0;
  private estimatedDoneS = 0;
  private actualDoneS = 0;
  private readonly estimates = new Map<number, number>();

  start(totalS: number): void {
    this.remainingS = totalS;
  }
  runStarted(index: number, estimatedS: number): void {
    this.estimates.set(index, estimatedS);
  }
  runEnded(index: number, actualS: number): void {
    const est = this.estimates.get(index) ?? 0;
    this.remainingS = Math.max(0, this.remainingS - est);
    this.estimatedDoneS += est;
    this.actualDoneS += actualS;
  }
  /** Seconds left after the runs finished so far. */
  etaS(): number {
    const scale = this.estimatedDoneS > 0 ? this.actualDoneS / this.estimatedDoneS : 1;
    return this.remainingS * scale;
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
  let done = 0;
  let current = '';
  const status = (step: string): void => {
    if (opts.tty)
      opts.write(`\r\x1b[2K[${done}/${total} done] ${current} ${step} | ETA ${formatSeconds(eta.etaS())}`);
  };
  return (e) => {
    if (e.kind === 'sweep-start') {
      total = e.runs;
      done = e.runs - e.todo;
      eta.start(e.estimatedS);
    } else if (e.kind === 'run-start') {
      eta.runStarted(e.index, e.estimatedS);
      const f = e.factors;
      current = `run ${e.index} (${e.runId}: OPS ${f.OPS} NCA ${f.NCA} POP ${f.POP} NNA ${f.NNA} NKA ${f.NKA})`;
    } else if (e.kind === 'run-end') {
      done++;
      eta.runEnded(e.index, e.seconds);
    }
    if (!opts.tty) {
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
        status(e.step);
        break;
      case 'run-end': {
        const ratio =
          e.achievedRatio === null ? '' : `, cruise OPS ${(e.achievedRatio * 100).toFixed(1)}% of target`;
        const why = [...e.reasons, ...e.slosFailed.map((s) => `SLO ${s}`)];
        opts.write(
          `\r\x1b[2Krun ${e.index} ${e.runId}: ${e.validity} in ${formatSeconds(e.seconds)}${ratio}${why.length === 0 ? '' : ` [${why.join(', ')}]`}${e.error === null ? '' : ` (${e.error})`}\n`,
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
