/** The per-run report page (driver summary alone). */
import { PHASES } from '../../measure/phase-window.js';
import type { RunModel } from '../model/run-model.js';
import { figure, type RenderedPlot } from './figure.js';
import type { VerdictModel } from '../model/verdict-model.js';
import { verdictHtml } from './verdict-html.js';
import { cell, esc, keyValues, page, section, table } from './html.js';
import type { FaultModel } from '../model/fault-model.js';
import { faultSection } from './fault-html.js';

function phaseTable(m: RunModel): string {
  const rows = m.phases.map((p) => {
    const s = p.summary;
    const o = s.outcomes;
    return `<tr data-phase="${p.phase}">${[
      cell(p.phase),
      cell(new Date(p.startMs).toISOString()),
      cell(p.seconds),
      cell(s.targetRate),
      cell(s.achievedRate),
      cell(s.ops.planned),
      cell(s.ops.issued),
      cell(s.ops.creates),
      cell(s.ops.deletes),
      cell(s.ops.late),
      cell(s.ops.dropped),
      cell(o.attempted),
      cell(o.fulfilled),
      cell(o.broken),
      cell(o.neverFulfilled),
      cell(o.createFailed),
    ].join('')}</tr>`;
  });
  return table(
    'phase-table',
    [
      'phase',
      'start',
      'seconds',
      'target ops/s',
      'achieved ops/s',
      'planned',
      'issued',
      'creates',
      'deletes',
      'late',
      'dropped',
      'attempted',
      'fulfilled',
      'broken',
      'never fulfilled',
      'create failed',
    ],
    rows,
  );
}

function latencyTable(m: RunModel): string {
  const order = [...PHASES, 'total'];
  const empty = m.latency.filter((l) => l.stats.count === 0).map((l) => `${l.phase} ${l.kind}`);
  const rows = m.latency
    .filter((l) => l.stats.count > 0)
    .sort((a, b) => order.indexOf(a.phase) - order.indexOf(b.phase))
    .map(
      (l) =>
        `<tr data-phase="${l.phase}" data-kind="${esc(l.kind)}">${[
          cell(l.phase),
          cell(l.kind),
          cell(l.stats.count),
          cell(l.stats.p50Ms),
          cell(l.stats.p90Ms),
          cell(l.stats.p99Ms),
          cell(l.stats.p999Ms),
          cell(l.stats.maxMs),
          cell(l.stats.meanMs),
        ].join('')}</tr>`,
    );
  const note = empty.length === 0 ? '' : `<p class="gap">No samples: ${esc(empty.join(', '))}.</p>`;
  return `${table(
    'latency-table',
    ['phase', 'latency', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'mean ms'],
    rows,
  )}${note}`;
}

export function runHtml(
  m: RunModel,
  plots: readonly RenderedPlot[],
  filesDir: string,
  verdict: { model: VerdictModel; note: string },
  /** A `drive --fault` run's faults and their plots (the sweep report's section); null: none. */
  faults: {
    model: FaultModel | null;
    recovery: readonly RenderedPlot[];
    timelines: readonly RenderedPlot[];
  } = { model: null, recovery: [], timelines: [] },
): string {
  const faultHtml = faults.model === null ? '' : faultSection(faults.model, [], faults, filesDir, false);
  const warnings =
    m.warnings.length === 0
      ? '<p class="ok">Nothing beyond the verdict’s reasons.</p>'
      : `<ul class="warnings">${m.warnings
          .map((w) => `<li data-kind="${w.kind}"><span class="warn">${w.kind}</span>: ${esc(w.message)}</li>`)
          .join('')}</ul>`;
  return page(
    m.title,
    [
      ['verdict', `Verdict (${verdict.model.sweep.outcome})`],
      ['run', 'Run'],
      ['warnings', `Warnings (${m.warnings.length})`],
      ...(faultHtml === '' ? [] : [['faults', 'Faults'] as [string, string]]),
      ['phases', 'Phases'],
      ['latency', 'Latency'],
      ['plots', 'Plots'],
    ],
    [
      verdictHtml(verdict.model, verdict.note),
      section('run', 'Run', keyValues('facts', m.facts)),
      section('warnings', 'Warnings', warnings),
      faultHtml,
      section('phases', 'Phases', phaseTable(m)),
      section('latency', 'Latency', latencyTable(m)),
      section('plots', 'Plots', plots.map((p) => figure(p, filesDir)).join('\n')),
    ].join('\n'),
  );
}
