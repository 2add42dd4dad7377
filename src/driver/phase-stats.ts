/**
 * What the driver counts and records per phase while it runs: ops planned / issued / late /
 * sent inside the phase's window, and the HDR histograms filled live (call latencies, schedule
 * lateness). The fulfilment histograms are filled from the book at the end (summary.ts), so
 * their sample counts equal the outcome counts exactly.
 */
import { latencyHistogram, recordMs, type Histogram } from '../measure/histogram.js';

export class PhaseStats {
  planned = 0;
  issued = 0;
  creates = 0;
  deletes = 0;
  late = 0;
  /** Ops of any phase whose request was sent inside this phase's window. */
  sentInWindow = 0;
  readonly createCall: Histogram = latencyHistogram();
  readonly deleteCall: Histogram = latencyHistogram();
  readonly lateness: Histogram = latencyHistogram();

  recordLateness(ms: number): void {
    recordMs(this.lateness, ms);
  }
}

export function newPhaseStats(): [PhaseStats, PhaseStats, PhaseStats] {
  return [new PhaseStats(), new PhaseStats(), new PhaseStats()];
}
