/** The exit code `experiment run` owes for the runs it recorded: their verdict's (README "Exit codes"). */
import { VERDICT_EXIT_CODES } from '../../src/cli/exit.js';
import type { RunRecord } from '../../src/experiment/store/run-record.js';
import { DEFAULT_VALIDITY } from '../../src/experiment/verdict/validity.js';
import { recordVerdict, sweepVerdict } from '../../src/experiment/verdict/verdict.js';

export function verdictExitCode(records: readonly RunRecord[]): number {
  return VERDICT_EXIT_CODES[sweepVerdict(records.map((r) => recordVerdict(r, DEFAULT_VALIDITY))).outcome];
}
