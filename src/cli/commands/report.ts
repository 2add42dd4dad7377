/** `kos-test report`: the sweep report, the per-run report (--run) and the compare report (--compare). */
import type { Command } from 'commander';
import { writeCompareReport } from '../../report/compare-report.js';
import { writeRunReport } from '../../report/run-report.js';
import { writeSweepReport, type ReportFiles } from '../../report/sweep-report.js';
import { KosTestError } from '../../util/errors.js';

interface ReportFlags {
  out?: string;
  run?: string;
  compare?: string[];
  png: boolean;
  includeInvalid?: boolean;
}

async function report(sweepDir: string | undefined, o: ReportFlags): Promise<ReportFiles> {
  const modes = [sweepDir !== undefined, o.run !== undefined, o.compare !== undefined].filter(Boolean).length;
  if (modes !== 1)
    throw new KosTestError({
      what: 'report needs exactly one of: a sweep directory, --run <dir>, --compare <A> <B>',
      value: modes === 0 ? 'none given' : 'more than one given',
      fix: 'e.g. kos-test report out/sweeps/my-sweep',
    });
  const common = { ...(o.out === undefined ? {} : { out: o.out }), png: o.png };
  if (o.run !== undefined) return writeRunReport(o.run, common);
  const withInvalid = { ...common, includeInvalid: o.includeInvalid === true };
  if (o.compare !== undefined) {
    const [a, b, ...rest] = o.compare;
    if (a === undefined || b === undefined || rest.length > 0)
      throw new KosTestError({
        what: 'bad --compare',
        value: o.compare.join(' '),
        fix: 'give exactly two sweep directories: --compare <A> <B>',
      });
    return writeCompareReport(a, b, withInvalid);
  }
  return writeSweepReport(sweepDir ?? '.', withInvalid);
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('Self-contained HTML report (plots also as SVG, PNG and CSV beside it).')
    .argument('[sweep-dir]', 'a sweep directory written by `kos-test experiment`')
    .option(
      '--out <file>',
      'the HTML file (default: report.html in the sweep or run directory; compare.html)',
    )
    .option('--run <dir>', 'report one driver run from its summary.json alone')
    .option('--compare <dirs...>', 'two sweep directories side by side: --compare <A> <B>')
    .option('--no-png', 'skip the PNG files (SVG and CSV only)')
    .option(
      '--include-invalid',
      'fit and compare invalid runs too (by default they are left out, and the report says so)',
    )
    .action(async (sweepDir: string | undefined, o: ReportFlags) => {
      const r = await report(sweepDir, o);
      console.log(`report: ${r.html}`);
      console.log(`plots (SVG, PNG, CSV): ${r.filesDir} (${r.plots.length} plots)`);
      if (r.warnings > 0) console.log(`warnings: ${r.warnings} (see the report's Warnings section)`);
    });
}
