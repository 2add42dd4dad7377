/**
 * `kos-test selftest [--json FILE]`: the known-answer checks of the measurement chain, one line
 * each (check, expected, measured, result). Without --kubeconfig on a fresh testbed it brings up
 * itself (minutes); with --kubeconfig and --prometheus, the checks a cluster allows. Exit 1 when
 * any check fails; the JSON (schema kos-test/selftest/v1) is written either way.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { installExitHandlers } from '../exit.js';
import type { SelftestReport } from '../../selftest/check-result.js';
import { runClusterSelftest } from '../../selftest/cluster-selftest.js';
import {
  runTestbedSelftest,
  TESTBED_CHECKS,
  type TestbedCheckName,
} from '../../selftest/testbed-selftest.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { KosTestError } from '../../util/errors.js';
import { intOption } from '../options.js';
import { formatSelftest } from '../selftest-text.js';

interface SelftestFlags {
  json?: string;
  dir: string;
  checks?: string;
  kubeconfig?: string;
  prometheus?: string;
  ops?: string;
}

export function registerSelftestCommand(program: Command): void {
  program
    .command('selftest')
    .description('Known-answer checks of the whole measurement chain; exit 1 when one fails.')
    .option('--json <file>', 'also write the results as JSON (for CI)')
    .option('--checks <names>', `only these, comma-separated: ${TESTBED_CHECKS.join(', ')}`)
    .option('--dir <dir>', 'where the testbed and the drives of the selftest live', '.kos-test/selftest')
    .option('--kubeconfig <path>', 'check a cluster instead (with --prometheus and --ops)')
    .option('--prometheus <url>', "the cluster's Prometheus that scrapes cAdvisor on every node")
    .option('--ops <n>', 'the OPS you plan to drive: the trial drives a tenth of it')
    .action(async (flags: SelftestFlags) => {
      installExitHandlers();
      if (flags.kubeconfig !== undefined || flags.prometheus !== undefined) {
        await finish(await clusterSelftest(flags), flags.json);
        return;
      }
      const report = await runTestbedSelftest({
        dir: resolve(flags.dir),
        ...(flags.checks === undefined ? {} : { only: checkNames(flags.checks) }),
        log: (m) => process.stderr.write(`selftest: ${m}\n`),
      });
      await finish(report, flags.json);
    });
}

function clusterSelftest(flags: SelftestFlags): Promise<SelftestReport> {
  if (flags.kubeconfig === undefined || flags.prometheus === undefined || flags.ops === undefined) {
    throw new KosTestError({
      what: 'a cluster selftest needs --kubeconfig, --prometheus and --ops',
      value: [
        flags.kubeconfig === undefined ? 'no --kubeconfig' : '',
        flags.prometheus === undefined ? 'no --prometheus' : '',
        flags.ops === undefined ? 'no --ops' : '',
      ]
        .filter((s) => s !== '')
        .join(', '),
      fix: 'give all three (or none, for the testbed selftest)',
      exitCode: 2,
    });
  }
  return runClusterSelftest({
    kubeconfigPath: resolve(flags.kubeconfig),
    prometheusUrl: flags.prometheus,
    plannedOps: intOption('--ops', flags.ops, 1, 1_000_000),
    outDir: resolve(flags.dir, 'drives'),
    log: (m) => process.stderr.write(`selftest: ${m}\n`),
  });
}

/** Prints the table, writes the JSON, and fails (exit 1) when any check failed. */
export async function finish(report: SelftestReport, jsonFile: string | undefined): Promise<void> {
  process.stdout.write(formatSelftest(report));
  if (jsonFile !== undefined) await writeFileAtomic(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  const failed = report.checks.filter((c) => !c.pass);
  if (failed.length > 0) {
    throw new KosTestError({
      what: 'selftest failed',
      value: failed.map((c) => c.check).join('; '),
      fix: 'see the lines marked FAIL above: a number kos-test reports would be wrong here',
    });
  }
}

function checkNames(text: string): TestbedCheckName[] {
  return text.split(',').map((name) => {
    const found = TESTBED_CHECKS.find((c) => c === name.trim());
    if (found === undefined) {
      throw new KosTestError({
        what: 'no such selftest check',
        value: name,
        fix: `choose from ${TESTBED_CHECKS.join(', ')}`,
        exitCode: 2,
      });
    }
    return found;
  });
}
