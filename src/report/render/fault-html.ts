/** The report's Faults section: the fault table, recovery against NNA and each fault run's timeline. */
import type { FaultModel, FaultRow } from '../model/fault-model.js';
import type { FactorName } from '../model/report-run.js';
import { figure, type RenderedPlot } from './figure.js';
import { cell, section, table } from './html.js';

function rowHtml(r: FaultRow, factors: readonly FactorName[]): string {
  return `<tr>${[
    cell(r.runId),
    ...factors.map((f) => cell(r.factors?.[f] ?? null)),
    cell(r.scenario),
    cell(r.fault, r.atS === null ? 'bad' : ''),
    cell(r.atS),
    cell(r.lastedS),
    cell(r.recoveryS, r.recoveryS === null ? 'bad' : 'ok'),
    cell(r.baselineP99Ms),
    cell(r.delayed),
    cell(r.neverFulfilled, r.neverFulfilled > 0 ? 'bad' : ''),
    cell(r.note),
  ].join('')}</tr>`;
}

/**
 * Empty when no run had a fault. `shown`: the factor columns (a sweep's; none for a lone drive);
 * `fits`: whether the page fits runs (a sweep), which fault runs are left out of.
 */
export function faultSection(
  m: FaultModel,
  shown: readonly FactorName[],
  plots: { recovery: readonly RenderedPlot[]; timelines: readonly RenderedPlot[] },
  filesDir: string,
  fits = true,
): string {
  if (m.rows.length === 0) return '';
  return section(
    'faults',
    'Faults and recovery',
    `<p>A run with a fault is invalid as a steady-state point (reason fault-injected)${fits ? ' and left out of the fits' : ''}; what it measures is the time to recover: from the injection until 10 consecutive attachments (by planned time) are fulfilled within the pre-fault p99 of fulfilment from planned (ADR 0030).</p>${table(
      'fault-table',
      [
        'run',
        ...shown,
        'scenario',
        'fault',
        'at (s into cruise)',
        'lasted (s)',
        'recovery (s)',
        'pre-fault p99 (ms)',
        'delayed',
        'never fulfilled',
        'note',
      ],
      m.rows.map((r) => rowHtml(r, shown)),
    )}\n${[...plots.recovery, ...plots.timelines].map((p) => figure(p, filesDir)).join('\n')}`,
  );
}
