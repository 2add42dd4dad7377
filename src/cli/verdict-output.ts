/**
 * The end of every judged command (`experiment run`, `experiment verdict`, `drive`): print the
 * verdict, write it as JSON and, when asked, as JUnit XML, and exit with its code.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { junitXml } from '../experiment/verdict/junit-xml.js';
import { parseSlo, type Slo } from '../experiment/verdict/slo.js';
import {
  sweepVerdict,
  sweepVerdictLine,
  type RunVerdict,
  type SweepVerdict,
  type VerdictFile,
} from '../experiment/verdict/verdict.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { KosTestError } from '../util/errors.js';
import { EXIT_CODES_HELP, VERDICT_EXIT_CODES } from './exit.js';

export interface VerdictFlags {
  slo?: string[];
  junit?: string;
}

/** Adds --slo (repeatable) and --junit, and the exit-code table to the command's help. */
export function addVerdictOptions(cmd: Command): Command {
  return cmd
    .option(
      '--slo <expr>',
      "an SLO judged on every run, e.g. 'fulfilment.p99<=2s' (repeatable; metrics: fulfilment.pNN, never-fulfilled, achieved-ratio, cpu-per-op.<purpose>)",
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .option('--junit <file>', 'write the verdict as JUnit XML: a testcase per run and per run and SLO')
    .addHelpText('after', EXIT_CODES_HELP);
}

export function slosFromFlags(flags: VerdictFlags): Slo[] {
  return (flags.slo ?? []).map((s) => parseSlo(s));
}

/** One line per run that is not valid or broke an SLO, then the verdict line. */
export function verdictLines(runs: readonly RunVerdict[], v: SweepVerdict): string[] {
  const lines: string[] = [];
  for (const r of runs) {
    for (const x of r.validity.reasons)
      lines.push(`  ${r.runId} ${r.validity.status}: ${x.code}: ${x.message}`);
    for (const s of r.slos.filter((x) => x.status !== 'pass'))
      lines.push(`  ${r.runId} SLO ${s.slo}: ${s.status}: ${s.message}`);
  }
  return [...lines, `verdict ${sweepVerdictLine(v)}`];
}

export async function finishWithVerdict(o: {
  suite: string;
  runs: readonly RunVerdict[];
  flags: VerdictFlags;
  /** Where verdict.json (VERDICT_FILE) goes: in a sweep's or a drive run's directory. */
  verdictPath: string;
  print: (line: string) => void;
}): Promise<void> {
  const v = sweepVerdict(o.runs);
  for (const l of verdictLines(o.runs, v)) o.print(l);
  const file: VerdictFile = { ...v, verdicts: [...o.runs] };
  await writeFileAtomic(o.verdictPath, `${JSON.stringify(file, null, 2)}\n`);
  if (o.flags.junit !== undefined) {
    const path = resolve(o.flags.junit);
    await writeFileAtomic(path, junitXml(o.suite, o.runs));
    o.print(`junit:   ${path}`);
  }
  const code = VERDICT_EXIT_CODES[v.outcome];
  if (code !== 0)
    throw new KosTestError({
      what: 'verdict',
      value: sweepVerdictLine(v),
      fix: 'the reasons are listed above and at the top of the report',
      exitCode: code,
    });
}
