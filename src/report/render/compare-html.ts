/** The compare report page: two sweeps side by side. */
import type { CompareCell } from '../model/compare.js';
import { SIGNIFICANCE } from './compare-plots.js';
import { figure, type RenderedPlot } from './figure.js';
import { cell, esc, keyValues, page, section, table } from './html.js';

export interface CompareSide {
  name: string;
  dir: string;
  runs: number;
  failed: number;
  invalid: number;
}

function rowHtml(c: CompareCell): string {
  const sig =
    c.pHolm === null
      ? 'n/a (needs 2+ runs each side)'
      : c.pHolm < SIGNIFICANCE
        ? 'significant'
        : 'not significant';
  return `<tr data-cell="${esc(c.cell)}" data-quantity="${esc(c.quantity)}">${[
    cell(c.cell),
    cell(c.quantity),
    cell(c.unit),
    cell(c.a),
    cell(c.runsA),
    cell(c.b),
    cell(c.runsB),
    cell(c.change),
    cell(c.changeRatio === null ? null : c.changeRatio * 100),
    cell(c.p),
    cell(c.pHolm),
    cell(sig, c.pHolm !== null && c.pHolm < SIGNIFICANCE ? 'bad' : ''),
  ].join('')}</tr>`;
}

export function compareHtml(
  sides: readonly [CompareSide, CompareSide],
  cells: readonly CompareCell[],
  plots: readonly RenderedPlot[],
  filesDir: string,
  includeInvalid = false,
): string {
  const [a, b] = sides;
  const facts: [string, string][] = [
    ['A', `${a.name} (${a.dir}): ${a.runs} run(s), ${a.failed} failed, ${a.invalid} invalid`],
    ['B', `${b.name} (${b.dir}): ${b.runs} run(s), ${b.failed} failed, ${b.invalid} invalid`],
    [
      'validity',
      includeInvalid
        ? 'invalid runs are compared too (--include-invalid); failed runs have no numbers'
        : `invalid runs are left out (A ${a.invalid}, B ${b.invalid}; kos-test report --compare --include-invalid includes them); failed runs have no numbers`,
    ],
    ['change', "B - A, and (B - A) / A; the mean over each cell's runs on each side"],
    [
      'significance',
      `Welch's t-test, two-sided; significant when p adjusted by Holm's method over all ${cells.filter((c) => c.p !== null).length} tests is < ${SIGNIFICANCE}`,
    ],
  ];
  const onlyOne = new Set(cells.filter((c) => c.runsA === 0 || c.runsB === 0).map((c) => c.cell)).size;
  return page(
    `kos-test compare: ${a.name} vs ${b.name}`,
    [
      ['sweeps', 'Sweeps'],
      ['plots', 'Plots'],
      ['cells', 'Cells'],
    ],
    [
      section('sweeps', 'Sweeps', keyValues('sides', facts)),
      section('plots', 'Plots', plots.map((p) => figure(p, filesDir)).join('\n')),
      section(
        'cells',
        'Change per cell',
        `${onlyOne > 0 ? `<p class="warn">${onlyOne} cell(s) lack data on one side for some quantities (shown as n/a).</p>` : ''}${table(
          'compare-table',
          [
            'cell',
            'quantity',
            'unit',
            'A',
            'A runs',
            'B',
            'B runs',
            'change',
            'change %',
            'p',
            'p (Holm)',
            'significance',
          ],
          cells.map(rowHtml),
        )}`,
      ),
    ].join('\n'),
  );
}
