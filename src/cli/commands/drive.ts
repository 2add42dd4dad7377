/** `kos-test drive`: the open-loop attachment throughput driver (see src/driver/run-drive.ts). */
import { KOS_COMMAND_DIR } from '../../api/kos-command-dir.js';
import { Option, type Command } from 'commander';
import { estimateDrive } from '../../driver/estimate.js';
import { parseDriveOptions, runDrive, type DriveDeps } from '../../driver/run-drive.js';
import { driveWithFaults } from '../../experiment/faults/drive-with-faults.js';
import { DEFAULT_TESTBED_DIR } from '../../testbed/supervisor/testbed-state.js';
import { checkFaultHost, faultFromFlags, remoteFaultHost, type FaultFlags } from './drive-fault.js';
import { testbedCrashes } from './drive-crashes.js';
import { ORIGINAL_TEST_FRACTION } from '../../driver/drive-options.js';
import type { DriveSummary } from '../../driver/drive-summary.js';
import type { FaultRun } from '../../measure/fault-record.js';
import { preflight } from '../../preflight/preflight.js';
import { binaryProbe, driveNeeds } from '../../preflight/preflight-needs.js';
import { driveReporter } from '../drive-progress.js';
import { ordersFromParent, tellParent } from '../../driver/shards/shard-messages.js';
import { toError } from '../../util/errors.js';
import { pacingPriorityText, raisePacingPriority } from '../../process/pacing-priority.js';
import { onInterrupt } from '../interrupt.js';
import { driveTarget } from '../drive-target.js';
import { addEmitJobOptions, emitJobIfAsked, type EmitJobFlags } from './drive-emit-job.js';
import { driveOptionsFromFlags, type DriveFlags } from './drive-flags.js';
import { join } from 'node:path';
import { driveRunVerdict, VERDICT_FILE } from '../../experiment/verdict/verdict.js';
import { hostLoadOver } from '../../measure/host-load.js';
import { startHostSampling } from '../../measure/host-sampler.js';
import { addVerdictOptions, finishWithVerdict, slosFromFlags, type VerdictFlags } from '../verdict-output.js';

export function registerDriveCommand(program: Command): void {
  addVerdictOptions(addEmitJobOptions(program.command('drive')))
    .description(
      'Drive attachment creates and deletes open-loop against a KOS target and measure fulfilment latency.',
    )
    .option('--kubeconfig <path>', 'target (default: $KUBECONFIG, else the testbed’s, else ~/.kube/config)')
    .option('--num-nets <n>', 'virtual networks', '10')
    .option('--top-net-size <n>', 'slots of the biggest VN', '100')
    .option('--exponent <x>', 'VN i has ceil((1+bias)*top/(i+bias)^exponent) slots', '1')
    .option('--bias <x>', 'see --exponent', '0')
    .option('--single-network', 'one subnet per VN (default: two when the VN has 2+ slots)')
    .option('--base-address <ip>', 'first address of the subnets’ CIDR blocks', '172.24.0.0')
    .option('--subnet-size-factor <x>', 'subnet addresses per slot', '1')
    .option('--num-attachments <n>', 'creates in the whole run (ops = 2x)', '450')
    .option('--rate <ops/s>', 'creates + deletes per second (all shards together)', '10')
    .option('--warmup-rate <ops/s>', 'creates per second while filling the slots (default: --rate)')
    .option('--cooldown-rate <ops/s>', 'deletes per second while draining at the end (default: --rate)')
    .option('--ops-distribution <d>', 'steady or poisson', 'steady')
    .option('--threads <n>', 'accepted for parity with the original; open-loop pacing needs no threads')
    .option('--node-label-selector <sel>', 'nodes to place attachments on', 'kos-role/comp=true')
    .option('--round-robin', 'place round-robin (default: at random)')
    .option('--only-node <name>', 'place every attachment on this node')
    .option('--runid <id>', 'run id: namespace and output directory (default: MMDD-HHMM-rrrr)')
    .option('--wait-after-create <d>', 'shock test: creates only, then wait this long (e.g. 30s)')
    .option('--wait-after-delete <d>', 'wait for straggling notifications after the last delete', '15s')
    .option('--dump-ops-times', 'write attachments-ops-times.csv')
    .option('--per-attachment-csv', 'write attachments.csv (one row per attachment)')
    .option('--gzip-csv', 'write it gzip-compressed, as attachments.csv.gz')
    .option('--metrics-port <n>', 'the driver’s /metrics port (0: any free port)', '9376')
    .option('--metrics-host <ip>', 'address /metrics listens on', '127.0.0.1')
    .option('--shard <i/N>', 'run slice i of N at 1/N of the rate (share --seed, --runid and --start-at)')
    .option('--start-at <time>', 'shared start: epoch ms or ISO time (default: right after setup)')
    .option('--grace <d>', 'not fulfilled this long after the create was sent: never fulfilled', '60s')
    .option('--seed <n>', 'seed of the plan (VNIs, shuffle, gaps, placement)')
    .option('--late-threshold <d>', 'an op sent later than this counts as late', '10ms')
    .option('--connections <n>', 'most keep-alive connections for creates and deletes', '64')
    .option(
      '--prime-requests <n>',
      'GET /version requests that warm the create path before the start',
      '2000',
    )
    .option(
      '--test-fraction <x>',
      'share of creates given a full ping test (0: no data-plane tests; needs the agents to run TestByPing)',
      String(ORIGINAL_TEST_FRACTION),
    )
    .option('--ping-count <n>', 'echo requests a full test tries until one is answered', '10')
    .option('--pending-wait <d>', 'longest a create waits for a tested peer in its VN', '1m')
    .option('--stop-on-ping-fail <bool>', 'stop driving at the first failed test (true|false)', 'true')
    .option(
      '--stop-on-break <bool>',
      'stop driving at the first broken attachment or address problem (true|false)',
      'true',
    )
    .option(
      '--test-command-dir <dir>',
      'where TestByPing and RemoveNetNS are on the agents’ nodes',
      KOS_COMMAND_DIR,
    )
    .option('--out <dir>', 'outputs go to <dir>/<runid>/', 'out/drive')
    .option(
      '--fault <spec>',
      'inject a fault into the testbed: ACTION:TARGET[#INDEX]@AT[+FOR], e.g. stop:agent-group@10s+5s, kill:napi#1@poisson(30s,7) (ADR 0030); network: delay(200ms):napi@10s+5s, partition:netcd#1@10s+5s, on a testbed up --net-faults (a relay stand-in, not tc netem: ADR 0034)',
    )
    .option(
      '--testbed-dir <dir>',
      'the testbed --fault injects into; a drive against it is also judged by its crashes',
      DEFAULT_TESTBED_DIR,
    )
    .option('--estimate', 'write the size and outline CSVs, print the population, create nothing')
    .addOption(
      // The runner's shards: options and target come as one message (shard-messages.ts), not flags.
      new Option('--orders-from-parent', 'take the drive from the starting runner over IPC').hideHelp(),
    )
    .action(
      async (
        image: string | undefined,
        flags: DriveFlags & EmitJobFlags & VerdictFlags & FaultFlags & OrdersFlag,
        cmd: Command,
      ) =>
        drive(image, flags, cmd).catch(async (e: unknown) => {
          // A shard the runner started tells it why it failed (shard-messages.ts).
          await tellParent({ kind: 'failed', message: toError(e).message.split('\n')[0] ?? 'failed' });
          throw e;
        }),
    );
}

interface OrdersFlag {
  ordersFromParent?: boolean;
}

async function drive(
  image: string | undefined,
  flags: DriveFlags & EmitJobFlags & VerdictFlags & FaultFlags & OrdersFlag,
  cmd: Command,
): Promise<void> {
  const job = emitJobIfAsked(image, flags, cmd, Date.now(), Math.random);
  if (job !== undefined) {
    process.stdout.write(job);
    return;
  }
  const orders = flags.ordersFromParent === true ? await ordersFromParent() : undefined;
  const input = orders?.options ?? driveOptionsFromFlags(flags);
  const reporter = driveReporter();
  if (flags.estimate === true) {
    const e = await estimateDrive(input);
    console.log(`POP ${e.population} in ${e.sizes.length} VNs, avgPeers ${e.avgPeers.toFixed(3)}`);
    console.log(`size CSV: ${e.sizeCsv}`);
    console.log(`outline CSV: ${e.outlineCsv}`);
    return;
  }
  const options = parseDriveOptions(input); // bad options fail before anything is contacted
  slosFromFlags(flags); // so do bad SLOs
  const fault = faultFromFlags(flags); // and a bad --fault
  await preflight(driveNeeds(options), binaryProbe());
  if (fault !== undefined) await checkFaultHost(fault.dir, fault.scenario);
  if (flags.threads !== undefined)
    reporter.log('--threads has no effect: ops are paced open-loop by one timer');
  // Said once pacing starts: a run that fails before then stays one line.
  const priority = pacingPriorityText(raisePacingPriority());
  let prioritySaid = false;
  // ^C ends the cruise early and deletes what is live; ^C again or SIGTERM stops now. SIGTERM
  // also comes from main.ts when the process that started this drive is gone.
  const interruption = onInterrupt(
    (m) => {
      reporter.log(m);
    },
    {
      stop: 'ending the cruise; deleting what is live',
      now: 'stopping now; the outputs are still written',
      fix: 'the outputs hold what was measured',
    },
  );
  // A shard, or the one drive process of a runner's run (ADR 0041), is not judged: its run is. So
  // only a drive of its own samples its host.
  const partOfARun = orders !== undefined || options.shard.count > 1;
  const sampling = partOfARun ? undefined : startHostSampling();
  try {
    // A shard the runner started tells it its summary, late start or failure (shard-messages.ts).
    const log = (m: string): void => {
      reporter.log(m);
    };
    const target = driveTarget(orders?.kubeconfigPath ?? flags.kubeconfig);
    const deps: DriveDeps = {
      ...target,
      signal: interruption.stop,
      hardSignal: interruption.now,
      log,
      onProgress: (p) => {
        if (!prioritySaid && p.phase !== 'setup') {
          prioritySaid = true;
          reporter.log(priority);
        }
        reporter.progress(p);
      },
      onLateStart: (lateMs) => void tellParent({ kind: 'late-start', lateMs }),
      // A part of a run is judged in its run; a drive of its own by the testbed's crashes too
      // (ADR 0035), listed in its summary.json.
      ...(partOfARun
        ? {}
        : { crashes: () => testbedCrashes(flags.testbedDir ?? DEFAULT_TESTBED_DIR, target, log) }),
    };
    const summary =
      fault === undefined
        ? await runDrive(input, deps)
        : await driveWithFaults(
            fault.scenario,
            remoteFaultHost(fault.dir),
            (s) => join(options.outDir, s.runId),
            log,
            // Recovery is measured from the per-attachment rows.
            (onSchedule) => runDrive({ ...input, perAttachmentCsv: true }, { ...deps, onSchedule }),
          );
    await tellParent({ kind: 'summary', summary });
    reporter.end();
    console.log(summaryLines(summary).join('\n'));
    if (sampling !== undefined) {
      const w = summary.phases.cruise.window;
      const host = hostLoadOver(await sampling.stop(), w.startMs, w.endMs);
      await finishWithVerdict({
        suite: summary.runId,
        runs: [driveRunVerdict(summary, host, slosFromFlags(flags))],
        flags,
        verdictPath: join(options.outDir, summary.runId, VERDICT_FILE),
        print: (l) => {
          console.log(l);
        },
      });
    }
  } finally {
    await sampling?.stop();
    reporter.end();
    interruption.dispose();
  }
}

function summaryLines(s: DriveSummary): string[] {
  const c = s.phases.cruise;
  const f = s.total.latency.fulfilmentFromPlanned;
  const o = s.total.outcomes;
  const ms = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)} ms`);
  return [
    `run ${s.runId} ${s.ending}: ${s.total.ops.issued}/${s.total.ops.planned} ops issued, ${s.total.ops.late} late, ${s.total.ops.dropped} dropped`,
    `cruise: ${c.achievedRate.toFixed(2)} ops/s achieved of ${c.targetRate.toFixed(2)} planned`,
    `outcomes: ${o.attempted} attempted = ${o.fulfilled} fulfilled + ${o.broken} broken + ${o.neverFulfilled} never fulfilled + ${o.createFailed} create failed`,
    `fulfilment from planned: p50 ${ms(f.p50Ms)}, p99 ${ms(f.p99Ms)}, max ${ms(f.maxMs)}`,
    `clock offset ${s.clock.offsetMs.toFixed(3)} ms +- ${s.clock.uncertaintyMs.toFixed(3)} ms`,
    ...(s.leftovers === undefined
      ? []
      : [
          `leftovers: ${s.leftovers.attachments} attachments could not be deleted; remove them with: ${s.leftovers.cleanup}`,
        ]),
    ...(s.faults === undefined ? [] : [faultLine(s.faults)]),
  ];
}

function faultLine(f: FaultRun): string {
  const hurt = f.events.reduce((n, e) => n + e.affected.delayed + e.affected.neverFulfilled, 0);
  const rec =
    f.recoveryMs === null ? 'no recovery time' : `recovered in ${(f.recoveryMs / 1000).toFixed(2)} s`;
  return `fault ${f.scenario}: ${f.events.length} injected, ${rec}, ${hurt} attachments affected (${f.note}); faults.json beside the summary`;
}
