/**
 * `kos-test report --run <dir>`: a report from one driver run's summary.json alone (plus its
 * attachments.csv when the driver wrote one, and faults.json after `drive --fault`), for users
 * who run only the driver.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { DriveSummary } from '../driver/drive-summary.js';
import { readDriveSummary } from '../driver/read-summary.js';
import { driveRunVerdict, verdictFileSchema, VERDICT_FILE } from '../experiment/verdict/verdict.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { KosTestError } from '../util/errors.js';
import { verdictModelOf, type VerdictModel } from './model/verdict-model.js';
import { attachmentRates } from './model/attachment-rates.js';
import { runModel } from './model/run-model.js';
import { parseCsv } from '../util/csv.js';
import { runPlots } from './render/run-plots.js';
import { runHtml } from './render/run-html.js';
import { filesDirFor, type ReportFiles } from './sweep-report.js';
import { writePlots } from './write-plots.js';
import { readFaultRun, timelineIn } from './fault-files.js';
import { runFaultModel, type FaultModel } from './model/fault-model.js';
import { faultPlots } from './render/fault-plots.js';

export interface RunReportOptions {
  /** @default <runDir>/report.html */
  out?: string;
  /** @default true */
  png?: boolean;
}

function readSummary(path: string): Promise<DriveSummary> {
  return readDriveSummary(path, {
    what: 'driver summary',
    fix: 'give --run the directory that holds the summary.json kos-test drive wrote',
  });
}

async function readRates(runDir: string): Promise<ReturnType<typeof attachmentRates>> {
  try {
    return attachmentRates(parseCsv(await readFile(join(runDir, 'attachments.csv'), 'utf8')));
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * The verdict `kos-test drive` wrote beside the summary; without one (a sweep's run directory),
 * the summary judged alone: host and costs unknown there, so not judged.
 */
async function readVerdict(
  runDir: string,
  summary: DriveSummary,
): Promise<{ model: VerdictModel; note: string }> {
  const path = join(runDir, VERDICT_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return {
      model: verdictModelOf([driveRunVerdict(summary, null, [])]),
      note: `No ${VERDICT_FILE} here: judged from summary.json alone (host load and costs not judged; a sweep's report and verdict.json judge them).`,
    };
  }
  const parsed = verdictFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new KosTestError({
      what: `not a kos-test ${VERDICT_FILE}`,
      value: path,
      fix: 'remove it (the summary is then judged alone) or run kos-test drive again',
    });
  return {
    model: verdictModelOf(parsed.data.verdicts),
    note: `As judged by kos-test drive (${VERDICT_FILE}).`,
  };
}

/**
 * The summary as `drive` returned it: summary.json is written before the fault analysis, so a
 * fault run's faults are read back from faults.json beside it, with its latency timeline.
 */
async function readRun(dir: string): Promise<{ summary: DriveSummary; faults: FaultModel | null }> {
  const written = await readSummary(join(dir, 'summary.json'));
  const faults = await readFaultRun(dir);
  if (faults === undefined) return { summary: written, faults: null };
  const cruise = written.phases.cruise.window;
  return {
    summary: { ...written, faults },
    faults: runFaultModel({
      runId: written.runId,
      factors: null,
      faults,
      cruiseStartMs: cruise.startMs,
      timeline: await timelineIn(dir, cruise),
    }),
  };
}

export async function writeRunReport(runDir: string, opts: RunReportOptions = {}): Promise<ReportFiles> {
  const dir = resolve(runDir);
  const { summary, faults } = await readRun(dir);
  const model = runModel(summary, await readRates(dir));
  const verdict = await readVerdict(dir, summary);
  const html = resolve(opts.out ?? join(dir, 'report.html'));
  const filesDir = filesDirFor(html);
  const out = { dir: filesDir, png: opts.png ?? true };
  const rendered = await writePlots(runPlots(model), out);
  const f = faults === null ? { recovery: [], timelines: [] } : faultPlots(faults);
  const fault = {
    model: faults,
    recovery: await writePlots(f.recovery, out),
    timelines: await writePlots(f.timelines, out),
  };
  await writeFileAtomic(html, runHtml(model, rendered, basename(filesDir), verdict, fault));
  return {
    html,
    filesDir,
    plots: [...rendered, ...fault.recovery, ...fault.timelines].map((p) => p.plot.name),
    warnings: model.warnings.length,
  };
}
