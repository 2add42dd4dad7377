/** The sweep report page from its model and rendered plots. */
import type { SelftestReport } from '../../selftest/check-result.js';
import { FACTOR_NAMES, type FactorName } from '../model/report-run.js';
import type { OutsideRow } from '../model/outside-nodes.js';
import type { ScalingRow } from '../model/scaling.js';
import type { SweepModel } from '../model/sweep-model.js';
import type { RunRow } from '../model/run-table.js';
import type { RunWarning } from '../model/warnings.js';
import { figure, noPlots, type RenderedPlot } from './figure.js';
import { cell, esc, keyValues, page, section, table } from './html.js';
import { verdictHtml } from './verdict-html.js';
import { faultSection } from './fault-html.js';

export interface SweepPlots {
  latency: RenderedPlot[];
  cdf: RenderedPlot[];
  costs: RenderedPlot[];
  /** Fault runs (ADR 0030); absent: none. */
  recovery?: RenderedPlot[];
  timelines?: RenderedPlot[];
}

function runRowHtml(
  r: RunRow,
  warned: ReadonlySet<string>,
  factors: readonly FactorName[],
  faults: boolean,
): string {
  const cls = r.status === 'failed' ? 'failed' : warned.has(r.runId) ? 'suspect' : '';
  const pct = r.achievedRatio === null ? null : (r.achievedRatio - 1) * 100;
  const cells = [
    cell(r.runId),
    cell(r.replicate),
    ...factors.map((f) => cell(r.factors[f])),
    ...(faults ? [cell(r.fault)] : []),
    cell(r.status, r.status === 'failed' ? 'bad' : 'ok'),
    cell(r.validity, r.validity === 'valid' ? 'ok' : 'bad'),
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

const runHeaders = (factors: readonly FactorName[], faults: boolean): string[] => [
  'run',
  'rep',
  ...factors,
  ...(faults ? ['fault'] : []),
  'status',
  'validity',
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
  if (ws.length === 0) return '<p class="ok">Nothing beyond the verdict’s reasons.</p>';
  const items = ws.map(
    (w) =>
      `<li data-run="${esc(w.runId)}" data-kind="${w.kind}"><b>${esc(w.runId)}</b> <span class="warn">${w.kind}</span>: ${esc(w.message)}</li>`,
  );
  return `<p class="warn">What the verdict’s reasons do not cover: ${ws.length} warning(s) in ${new Set(ws.map((w) => w.runId)).size} run(s).</p><ul class="warnings">${items.join('')}</ul>`;
}

function outsideHtml(rows: readonly OutsideRow[]): string {
  if (rows.length === 0) return '';
  return `<h3>Not in this run</h3><p>Nodes seen during a run that its configuration does not use (scaled away, idle candidates): what they cost, charged to no purpose and never a reason to flag the run.</p>${table(
    'outside-table',
    ['run', 'nodes', 'with data', 'cores (sum)', 'working set avg bytes (sum)', 'nodes not in the run'],
    rows.map(
      (r) =>
        `<tr data-run="${esc(r.runId)}">${[cell(r.runId), cell(r.nodes), cell(r.withData), cell(r.cpuCores), cell(r.workingSetAvgBytes), cell(r.names)].join('')}</tr>`,
    ),
  )}`;
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
    `${keyValues('environment', m.environment)}${selftestHtml(m.selftest)}${
      m.specText === null
        ? '<p class="gap">No spec.yaml in the sweep directory.</p>'
        : `<pre>${esc(m.specText)}</pre>`
    }`,
  );
  const faults = faultSection(
    m.faults,
    m.varying.includes('NNA') ? m.varying : ['NNA', ...m.varying],
    { recovery: plots.recovery ?? [], timelines: plots.timelines ?? [] },
    filesDir,
  );
  const runs = section(
    'runs',
    'Runs',
    table(
      'run-table',
      runHeaders(shown, faults !== ''),
      m.rows.map((r) => runRowHtml(r, warned, shown, faults !== '')),
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
    (plots.costs.length === 0
      ? noPlots(m.purposes.length === 0 ? 'No run has cost data.' : 'Only one level of every factor.')
      : plots.costs.map((p) => figure(p, filesDir)).join('\n')) + outsideHtml(m.outside),
  );
  const excluded =
    m.fitExcluded > 0
      ? `<p class="warn" id="fit-excluded">${m.fitExcluded} invalid run(s) left out of these fits (kos-test report --include-invalid fits them too).</p>`
      : m.includeInvalid
        ? '<p class="warn" id="fit-excluded">Invalid runs are included in these fits (--include-invalid).</p>'
        : '';
  const scaling = section(
    'scaling',
    'Scaling (log-log slopes)',
    m.scaling.length === 0
      ? `${excluded}${noPlots('Only one level of every factor: nothing to fit.')}`
      : `${excluded}<p>k in quantity ~ factor<sup>k</sup>, one least-squares fit of logs over all runs with data (other factors held fixed); 95% interval from the t distribution.</p>${table(
          'scaling-table',
          ['subject', 'quantity', 'unit', 'factor', 'k', '95% interval', 'points', 'residual df', 'note'],
          m.scaling.map(scalingRowHtml),
        )}`,
  );
  return page(
    m.title,
    [
      ['verdict', `Verdict (${m.verdict.sweep.outcome})`],
      ['spec', 'Spec'],
      ['runs', 'Runs'],
      ['warnings', `Warnings (${m.warnings.length})`],
      ['latency', 'Latency'],
      ['cdf', 'CDFs'],
      ['costs', 'Costs'],
      ['scaling', 'Scaling'],
      ...(faults === '' ? [] : [['faults', 'Faults'] as [string, string]]),
    ],
    [
      verdictHtml(
        m.verdict,
        m.fitExcluded > 0 ? `Scaling fits leave out the ${m.fitExcluded} invalid run(s).` : '',
      ),
      summary,
      env,
      runs,
      warnings,
      latency,
      cdf,
      costs,
      scaling,
      faults,
    ].join('\n'),
  );
}

/** The selftest's lines, under the environment: what was checked before the sweep trusted its numbers. */
function selftestHtml(s: SelftestReport | null): string {
  if (s === null) return '<p class="gap">No selftest ran before this sweep (spec: selftest: true).</p>';
  const verdict = s.pass
    ? `<p class="ok">Selftest on the ${esc(s.target)} (${esc(s.startedAt)}): every check passed.</p>`
    : `<p class="bad">Selftest on the ${esc(s.target)} (${esc(s.startedAt)}): some checks FAILED.</p>`;
  const rows = s.checks.map(
    (c) =>
      `<tr${c.pass ? '' : ' class="failed"'}>${cell(c.check)}${cell(c.expected)}${cell(c.measured)}${cell(
        c.pass ? 'pass' : 'FAIL',
      )}${cell(c.note ?? '')}</tr>`,
  );
  return `<h3>Selftest</h3>${verdict}${table('selftest', ['check', 'expected', 'measured', 'result', 'note'], rows)}`;
}
