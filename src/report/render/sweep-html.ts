/** The sweep report page from its model and rendered plots. */
import { FACTOR_NAMES, type FactorName } from '../model/report-run.js';
import type { ScalingRow } from '../model/scaling.js';
import type { SweepModel } from '../model/sweep-model.js';
import type { RunRow } from '../model/run-table.js';
import type { RunWarning } from '../model/warnings.js';
import { figure, noPlots, type RenderedPlot } from './figure.js';
import { cell, esc, keyValues, page, section, table } from './html.js';

export interface SweepPlots {
  latency: RenderedPlot[];
  cdf: RenderedPlot[];
  costs: RenderedPlot[];
}

function runRowHtml(r: RunRow, warned: ReadonlySet<string>, factors: readonly FactorName[]): string {
  const cls = r.status === 'failed' ? 'failed' : warned.has(r.runId) ? 'suspect' : '';
  const pct = r.achievedRatio === null ? null : (r.achievedRatio - 1) * 100;
  const cells = [
    cell(r.runId),
    cell(r.replicate),
    ...factors.map((f) => cell(r.factors[f])),
    cell(r.status, r.status === 'failed' ? 'bad' : 'ok'),
    cell(r.targetRate),
    cell(r.achievedRate),
    cell(pct),
    cell(r.issued),
    cell(r.late),
    cell(r.attempted),
    cell(r.fulfilled),
    cell(r.unfulfilled),
    cell(r.latencyCount),
    cell(r.p50Ms),
    cell(r.p90Ms),
    cell(r.p99Ms),
    cell(r.p999Ms),
    cell(r.maxMs),
    cell(r.costs, r.costs === 'complete' ? 'ok' : 'bad'),
    cell(r.testsFailed, r.testsFailed === null || r.testsFailed === 0 ? '' : 'bad'),
    cell(r.testedP99Ms),
  ];
  return `<tr data-run="${esc(r.runId)}"${cls === '' ? '' : ` class="${cls}"`}>${cells.join('')}</tr>`;
}

const runHeaders = (factors: readonly FactorName[]): string[] => [
  'run',
  'rep',
  ...factors,
  'status',
  'target ops/s',
  'achieved ops/s',
  'achieved vs target %',
  'issued',
  'late',
  'creates',
  'fulfilled',
  'not fulfilled',
  'latency samples',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'p99.9 ms',
  'max ms',
  'costs',
  'tests failed',
  'tested p99 ms',
];

function scalingRowHtml(s: ScalingRow): string {
  const ci = s.low === null || s.high === null ? null : `${s.low.toFixed(2)} .. ${s.high.toFixed(2)}`;
  return `<tr data-subject="${esc(s.subject)}" data-quantity="${esc(s.quantity)}" data-factor="${s.factor}">${[
    cell(s.subject),
    cell(s.quantity),
    cell(s.unit),
    cell(s.factor),
    cell(s.k),
    ci === null ? cell(null) : cell(ci),
    cell(s.points),
    cell(s.residualDf),
    cell(s.note ?? ''),
  ].join('')}</tr>`;
}

function warningsHtml(ws: readonly RunWarning[]): string {
  if (ws.length === 0) return '<p class="ok">No run is suspect.</p>';
  const items = ws.map(
    (w) =>
      `<li data-run="${esc(w.runId)}" data-kind="${w.kind}"><b>${esc(w.runId)}</b> <span class="warn">${w.kind}</span>: ${esc(w.message)}</li>`,
  );
  return `<p class="warn">${ws.length} warning(s) in ${new Set(ws.map((w) => w.runId)).size} run(s).</p><ul class="warnings">${items.join('')}</ul>`;
}

export function sweepHtml(m: SweepModel, plots: SweepPlots, filesDir: string): string {
  const warned = new Set(m.warnings.map((w) => w.runId));
  const failed = m.rows.filter((r) => r.status === 'failed').length;
  // The run table shows the factors that vary; the others are said once, here.
  const shown = m.varying.length === 0 ? [...FACTOR_NAMES] : m.varying;
  const first = m.rows[0];
  const fixed = FACTOR_NAMES.filter((f) => !shown.includes(f));
  const fixedText =
    first === undefined || fixed.length === 0
      ? ''
      : `; fixed: ${fixed.map((f) => `${f}=${first.factors[f]}`).join(' ')}`;
  const summary = `<p>${m.rows.length} run(s), ${failed} failed; varying factors: ${
    m.varying.length === 0 ? 'none' : m.varying.join(', ')
  }${esc(fixedText)}. Latency is the cruise fulfilment latency from the planned time; costs are over the cruise window.</p>`;
  const env = section(
    'spec',
    'Spec and environment',
    `${keyValues('environment', m.environment)}${
      m.specText === null
        ? '<p class="gap">No spec.yaml in the sweep directory.</p>'
        : `<pre>${esc(m.specText)}</pre>`
    }`,
  );
  const runs = section(
    'runs',
    'Runs',
    table(
      'run-table',
      runHeaders(shown),
      m.rows.map((r) => runRowHtml(r, warned, shown)),
    ),
  );
  const warnings = section('warnings', 'Warnings', warningsHtml(m.warnings));
  const latency = section(
    'latency',
    'Latency against each factor',
    plots.latency.length === 0
      ? noPlots('Only one level of every factor: see the CDFs.')
      : plots.latency.map((p) => figure(p, filesDir)).join('\n'),
  );
  const cdf = section(
    'cdf',
    'Latency distributions per run',
    plots.cdf.length === 0
      ? noPlots('No run has latency samples.')
      : plots.cdf.map((p) => figure(p, filesDir)).join('\n'),
  );
  const costs = section(
    'costs',
    'Per-purpose costs against each factor',
    plots.costs.length === 0
      ? noPlots(m.purposes.length === 0 ? 'No run has cost data.' : 'Only one level of every factor.')
      : plots.costs.map((p) => figure(p, filesDir)).join('\n'),
  );
  const scaling = section(
    'scaling',
    'Scaling (log-log slopes)',
    m.scaling.length === 0
      ? noPlots('Only one level of every factor: nothing to fit.')
      : `<p>k in quantity ~ factor<sup>k</sup>, one least-squares fit of logs over all runs with data (other factors held fixed); 95% interval from the t distribution.</p>${table(
          'scaling-table',
          ['subject', 'quantity', 'unit', 'factor', 'k', '95% interval', 'points', 'residual df', 'note'],
          m.scaling.map(scalingRowHtml),
        )}`,
  );
  return page(
    m.title,
    [
      ['spec', 'Spec'],
      ['runs', 'Runs'],
      ['warnings', `Warnings (${m.warnings.length})`],
      ['latency', 'Latency'],
      ['cdf', 'CDFs'],
      ['costs', 'Costs'],
      ['scaling', 'Scaling'],
    ],
    [summary, env, runs, warnings, latency, cdf, costs, scaling].join('\n'),
  );
}
