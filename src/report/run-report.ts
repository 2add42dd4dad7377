/**
 * `kos-test report --run <dir>`: a report from one driver run's summary.json alone (plus its
 * attachments.csv when the driver wrote one), for users who run only the driver.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { driveSummarySchema, type DriveSummary } from '../driver/drive-summary.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { KosTestError } from '../util/errors.js';
import { attachmentRates } from './model/attachment-rates.js';
import { runModel } from './model/run-model.js';
import { parseCsv } from './render/csv.js';
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

async function readSummary(path: string): Promise<DriveSummary> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'cannot read the driver summary',
      value: path,
      fix: "give --run the directory that holds the driver's summary.json",
      cause: e,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'driver summary is not JSON',
      value: path,
      fix: 'use the summary.json the driver wrote',
      cause: e,
    });
  }
  const parsed = driveSummarySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KosTestError({
      what: `bad driver summary ${path}`,
      value: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      fix: 'the file is not a kos-test/drive-summary/v1 summary',
    });
  }
  return parsed.data;
}

async function readRates(runDir: string): Promise<ReturnType<typeof attachmentRates>> {
  try {
    return attachmentRates(parseCsv(await readFile(join(runDir, 'attachments.csv'), 'utf8')));
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export async function writeRunReport(runDir: string, opts: RunReportOptions = {}): Promise<ReportFiles> {
  const dir = resolve(runDir);
  const summary = await readSummary(join(dir, 'summary.json'));
  const model = runModel(summary, await readRates(dir));
  const html = resolve(opts.out ?? join(dir, 'report.html'));
  const filesDir = filesDirFor(html);
  const rendered = await writePlots(runPlots(model), { dir: filesDir, png: opts.png ?? true });
  await writeFileAtomic(html, runHtml(model, rendered, basename(filesDir)));
  return { html, filesDir, plots: rendered.map((p) => p.plot.name), warnings: model.warnings.length };
}
