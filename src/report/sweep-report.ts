/**
 * `writeSweepReport(sweepDir)`: the sweep's self-contained HTML report, with every plot also as
 * SVG, PNG and CSV in `<name>-files/` beside it, and the run and scaling tables as CSV. The
 * experiment runner calls this after each run, so it must work on a partial sweep.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { loadSweep } from './load-sweep.js';
import type { RunRecord } from '../experiment/store/run-record.js';
import { FACTOR_NAMES } from './model/report-run.js';
import { sweepModel, type SweepModel } from './model/sweep-model.js';
import { toCsv } from './render/csv.js';
import type { DataRow } from './render/plot.js';
import { cdfPlots } from './render/cdf-plots.js';
import { costPlot, latencyPlot } from './render/sweep-plots.js';
import { faultPlots } from './render/fault-plots.js';
import { sweepHtml } from './render/sweep-html.js';
import { writePlots } from './write-plots.js';

export interface SweepReportOptions {
  /** The HTML file. @default <sweepDir>/report.html */
  out?: string;
  /** @default true */
  png?: boolean;
  /** Fit invalid runs too. @default false */
  includeInvalid?: boolean;
  /** The sweep's records as the runner holds them. @default read from results.jsonl */
  records?: readonly RunRecord[];
}

export interface ReportFiles {
  html: string;
  filesDir: string;
  plots: string[];
  warnings: number;
}

/** Where a report's side files go: report.html -> report-files/. */
export function filesDirFor(htmlPath: string): string {
  return join(dirname(htmlPath), `${basename(htmlPath).replace(/\.html?$/i, '')}-files`);
}

function tableCsvs(m: SweepModel): { name: string; csv: string }[] {
  const runCols = [
    'runId',
    'index',
    'cell',
    'replicate',
    ...FACTOR_NAMES,
    ...(m.faults.rows.length === 0 ? [] : ['fault']),
    'status',
    'validity',
    'error',
    'targetRate',
    'achievedRate',
    'achievedRatio',
    'issued',
    'late',
    'attempted',
    'fulfilled',
    'unfulfilled',
    'latencyCount',
    'p50Ms',
    'p90Ms',
    'p99Ms',
    'p999Ms',
    'maxMs',
    'costs',
    'testsFailed',
    'testedP99Ms',
  ];
  const runRows: DataRow[] = m.rows.map((r) => {
    const { factors, ...rest } = r;
    return { ...rest, ...factors };
  });
  const scalingCols = [
    'subject',
    'quantity',
    'unit',
    'factor',
    'k',
    'low',
    'high',
    'points',
    'residualDf',
    'note',
  ];
  return [
    { name: 'run-table.csv', csv: toCsv(runCols, runRows) },
    { name: 'scaling-table.csv', csv: toCsv(scalingCols, m.scaling as unknown as DataRow[]) },
    {
      name: 'warnings.csv',
      csv: toCsv(['runId', 'kind', 'message'], m.warnings as unknown as DataRow[]),
    },
  ];
}

export async function writeSweepReport(
  sweepDir: string,
  opts: SweepReportOptions = {},
): Promise<ReportFiles> {
  const { input } = await loadSweep(sweepDir, opts.records);
  const html = resolve(opts.out ?? join(sweepDir, 'report.html'));
  const filesDir = filesDirFor(html);
  const model = sweepModel(input, {
    includeInvalid: opts.includeInvalid ?? false,
  });
  const out = { dir: filesDir, png: opts.png ?? true };
  const latency = await writePlots(
    model.latency.map((l) => latencyPlot(l.factor, l.points)),
    out,
  );
  const cdf = await writePlots(model.cdfs.length === 0 ? [] : cdfPlots(model.cdfs), out);
  const costs = await writePlots(
    model.costs.map((c) => costPlot(c.factor, c.metric, c.points)),
    out,
  );
  const f = faultPlots(model.faults);
  const recovery = await writePlots(f.recovery, out);
  const timelines = await writePlots(f.timelines, out);
  for (const t of tableCsvs(model)) await writeFileAtomic(join(filesDir, t.name), t.csv);
  await writeFileAtomic(
    html,
    sweepHtml(model, { latency, cdf, costs, recovery, timelines }, basename(filesDir)),
  );
  return {
    html,
    filesDir,
    plots: [...latency, ...cdf, ...costs, ...recovery, ...timelines].map((p) => p.plot.name),
    warnings: model.warnings.length,
  };
}
