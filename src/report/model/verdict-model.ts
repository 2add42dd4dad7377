/** The verdict a report opens with: the outcome, then each run that is not valid or broke an SLO (pure). */
import { sweepVerdict, type RunVerdict, type SweepVerdict } from '../../experiment/verdict/verdict.js';
import { factorLabel } from './factors.js';
import { validityOf, type FactorName, type ReportRun } from './report-run.js';

export interface VerdictModel {
  sweep: SweepVerdict;
  /** Runs not valid or with an SLO not passed, in run order. */
  flagged: RunVerdict[];
}

export function verdictModelOf(verdicts: readonly RunVerdict[]): VerdictModel {
  return {
    sweep: sweepVerdict(verdicts),
    flagged: verdicts.filter((v) => v.validity.status !== 'valid' || v.slos.some((s) => s.status !== 'pass')),
  };
}

export function verdictModel(runs: readonly ReportRun[], varying: readonly FactorName[]): VerdictModel {
  return verdictModelOf(
    [...runs]
      .sort((a, b) => a.index - b.index)
      .map((r): RunVerdict => ({
        runId: r.runId,
        label: factorLabel(r.factors, varying),
        validity: validityOf(r),
        slos: r.slos ?? [],
      })),
  );
}
