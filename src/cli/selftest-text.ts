/** The selftest's console table: one line per check, then the verdict (pure). */
import { textTable } from '../util/text-table.js';
import type { SelftestReport } from '../selftest/check-result.js';

export function formatSelftest(report: SelftestReport): string {
  const rows = report.checks.map((c) => [
    c.check,
    c.expected,
    c.measured,
    c.pass ? 'pass' : 'FAIL',
    c.note ?? '',
  ]);
  const failed = report.checks.filter((c) => !c.pass).length;
  const verdict =
    failed === 0
      ? `selftest on the ${report.target}: all ${report.checks.length} checks pass (${report.seconds.toFixed(0)} s)`
      : `selftest on the ${report.target}: ${failed} of ${report.checks.length} checks FAIL (${report.seconds.toFixed(0)} s)`;
  return `${textTable(['check', 'expected', 'measured', 'result', 'note'], rows)}\n${verdict}\n`;
}
