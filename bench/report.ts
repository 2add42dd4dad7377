/**
 * What a benchmark reports, as data: measured values, and checks of a value against its target.
 * Checks compare same-run ratios or per-event costs, never absolute speeds of a noisy machine.
 * Formatting the table is pure, so run.ts only prints it.
 */
import type { MachineShare } from './machine-share.js';

export interface Measure {
  label: string;
  value: number;
  unit: string;
  /** Digits after the decimal point. @default 1 */
  digits?: number;
}

export type CheckOp = '>=' | '<' | '<=' | '==';

export interface Check {
  label: string;
  value: number;
  op: CheckOp;
  target: number;
  unit: string;
  /** NaN never passes. */
  pass: boolean;
  digits?: number;
}

/** What one benchmark returns: everything to print, plus details kept only in the JSON. */
export interface BenchReport {
  summary: string;
  measures: Measure[];
  checks: Check[];
  details: Record<string, unknown>;
}

interface RunFacts {
  name: string;
  startedAt: string;
  seconds: number;
  /** The whole machine over the benchmark (absent without /proc). */
  machine?: MachineShare;
}

export type BenchResult = (RunFacts & { ok: true } & BenchReport) | (RunFacts & { ok: false; error: string });

export function check(
  label: string,
  value: number,
  op: CheckOp,
  target: number,
  unit = '',
  digits?: number,
): Check {
  const pass =
    op === '>='
      ? value >= target
      : op === '<'
        ? value < target
        : op === '<='
          ? value <= target
          : value === target;
  return { label, value, op, target, unit, pass, ...(digits === undefined ? {} : { digits }) };
}

export function formatNumber(value: number, digits = 1): string {
  if (Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(rows: string[][], rightAligned: readonly boolean[]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, c) => {
        const w = widths[c] ?? 0;
        return rightAligned[c] === true ? cell.padStart(w) : cell.padEnd(w);
      })
      .join('  ')
      .trimEnd(),
  );
}

/** The printed form of one result: a table of measures, then a table of checks. */
export function formatResult(result: BenchResult): string {
  const machine =
    result.machine === undefined
      ? ''
      : `; machine busy ${formatNumber(result.machine.busyPct, 0)}%, stolen by the host ${formatNumber(result.machine.stealPct, 1)}%`;
  const title = `== ${result.name} (took ${formatNumber(result.seconds, 0)} s${machine}) ==`;
  if (!result.ok) return `${title}\nFAILED: ${result.error}\n`;
  const measures = table(
    [
      ['measure', 'value', 'unit'],
      ...result.measures.map((m) => [m.label, formatNumber(m.value, m.digits ?? 1), m.unit]),
    ],
    [false, true, false],
  );
  const checks = table(
    [
      ['check', 'value', 'target', 'result'],
      ...result.checks.map((c) => [
        c.label,
        `${formatNumber(c.value, c.digits ?? 2)}${c.unit === '' ? '' : ` ${c.unit}`}`,
        `${c.op} ${formatNumber(c.target, c.digits ?? 2)}${c.unit === '' ? '' : ` ${c.unit}`}`,
        c.pass ? 'PASS' : 'MISS',
      ]),
    ],
    [false, true, true, false],
  );
  return [title, result.summary, '', ...measures, '', ...checks, ''].join('\n');
}
