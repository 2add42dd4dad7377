/**
 * `kos-test report --run <dir>`: a report from one driver run's summary.json alone (plus its
 * attachments.csv when the driver wrote one), for users who run only the driver.
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

export async function writeRunReport(runDir: string, opts: RunReportOptions = {}): Promise<ReportFiles> {
  const dir = resolve(runDir);
  const summary = await readSummary(join(dir, 'summary.json'));
  const model = runModel(summary, await readRates(dir));
  const verdict = await readVerdict(dir, summary);
  const html = resolve(opts.out ?? join(dir, 'report.html'));
  const filesDir = filesDirFor(html);
  const rendered = await writePlots(runPlots(model), { dir: filesDir, png: opts.png ?? true });
  await writeFileAtomic(html, runHtml(model, rendered, basename(filesDir), verdict));
  return { html, filesDir, plots: rendered.map((p) => p.plot.name), warnings: model.warnings.length };
}
