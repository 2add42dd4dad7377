/** `kos-test report --compare A B`: two sweeps side by side (HTML, plots as SVG/PNG/CSV, table CSV). */
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { loadSweep } from './load-sweep.js';
import { compareSweeps } from './model/compare.js';
import { usableRun, validityOf } from './model/report-run.js';
import { compareHtml, type CompareSide } from './render/compare-html.js';
import { compareChangePlot, compareLatencyPlot } from './render/compare-plots.js';
import { toCsv } from './render/csv.js';
import type { DataRow } from './render/plot.js';
import { filesDirFor, type ReportFiles } from './sweep-report.js';
import { writePlots } from './write-plots.js';

export interface CompareReportOptions {
  /** @default compare.html in the current directory */
  out?: string;
  /** @default true */
  png?: boolean;
  /** Compare invalid runs too (they are left out by default). @default false */
  includeInvalid?: boolean;
}

export async function writeCompareReport(
  dirA: string,
  dirB: string,
  opts: CompareReportOptions = {},
): Promise<ReportFiles> {
  const [a, b] = await Promise.all([loadSweep(dirA), loadSweep(dirB)]);
  const includeInvalid = opts.includeInvalid ?? false;
  const side = (dir: string, s: typeof a): CompareSide => ({
    name: s.records[0]?.sweepId ?? basename(resolve(dir)),
    dir: resolve(dir),
    runs: s.records.length,
    failed: s.records.filter((r) => r.status === 'failed').length,
    invalid: s.input.runs.filter((r) => validityOf(r).status === 'invalid').length,
  });
  const sides: [CompareSide, CompareSide] = [side(dirA, a), side(dirB, b)];
  if (sides[0].name === sides[1].name) {
    sides[0].name = `A ${sides[0].name}`;
    sides[1].name = `B ${sides[1].name}`;
  }
  const usable = (s: typeof a) => s.input.runs.filter((r) => usableRun(r, includeInvalid));
  const cells = compareSweeps(usable(a), usable(b));
  const html = resolve(opts.out ?? 'compare.html');
  const filesDir = filesDirFor(html);
  const rendered = await writePlots(
    [compareLatencyPlot(cells, [sides[0].name, sides[1].name]), compareChangePlot(cells)],
    {
      dir: filesDir,
      png: opts.png ?? true,
    },
  );
  const cols = [
    'cell',
    'quantity',
    'unit',
    'a',
    'runsA',
    'b',
    'runsB',
    'change',
    'changeRatio',
    'p',
    'pHolm',
  ];
  const rows: DataRow[] = cells.map(({ factors: _f, ...c }) => c);
  await writeFileAtomic(join(filesDir, 'compare-table.csv'), toCsv(cols, rows));
  await writeFileAtomic(html, compareHtml(sides, cells, rendered, basename(filesDir), includeInvalid));
  return { html, filesDir, plots: rendered.map((p) => p.plot.name), warnings: 0 };
}
