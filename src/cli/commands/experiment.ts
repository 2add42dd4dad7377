/**
 * `kos-test experiment schema | plan <spec> | run <spec> [--out DIR] [--resume]`: the Main
 * Experiment as one command. Bad specs and plans the target cannot hold stop before anything starts.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { collectCosts } from '../../costs/collect-costs.js';
import { waitForFreshSamples } from '../../costs/fresh-samples.js';
import { inProcessDriveStep } from '../../experiment/run/drive-step.js';
import { driveStepFor } from '../../experiment/run/shard-drive-step.js';
import { planText } from '../../experiment/plan/plan-text.js';
import { planExperiment } from '../../experiment/plan/plan.js';
import { progressReporter } from '../../experiment/run/progress.js';
import { ResultsStore } from '../../experiment/store/results-store.js';
import { specJsonSchemaText } from '../../experiment/spec/spec-json-schema.js';
import {
  checkedPlan,
  loadSpecFile,
  makeTarget,
  refuseInfeasible,
  refusalText,
} from '../../experiment/run/sweep-setup.js';
import { DEFAULT_COST_MODEL_PATH } from '../../experiment/plan/capacity/model-file.js';
import { checkFeasibility, runCapacity } from '../../experiment/plan/feasibility.js';
import { sweepIdOf } from '../../experiment/store/sweep-id.js';
import { randomSeed } from '../../util/prng.js';
import { runSweep } from '../../experiment/run/sweep-runner.js';
import { preflight } from '../../preflight/preflight.js';
import { binaryProbe, sweepNeeds } from '../../preflight/preflight-needs.js';
import { killChildrenOnExit } from '../../process/child-registry.js';
import { onInterrupt } from '../interrupt.js';
import { writeSweepReport } from '../../report/sweep-report.js';
import { KosTestError } from '../../util/errors.js';
import type { ExperimentSpec } from '../../experiment/spec/spec-schema.js';
import { SELFTEST_FILE, type SelftestReport } from '../../selftest/check-result.js';
import { runClusterSelftest } from '../../selftest/cluster-selftest.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { formatSelftest } from '../selftest-text.js';
import { accountingProblems, RATE_TOLERANCE } from '../../experiment/run/accounting.js';
import { startHostSampling } from '../../measure/host-sampler.js';
import { recordVerdict } from '../../experiment/verdict/verdict.js';
import { parseSpecText, type ResolvedSpec } from '../../experiment/spec/spec-load.js';
import { loadSweep } from '../../report/load-sweep.js';
import { EXIT_CODES_HELP } from '../exit.js';
import { addVerdictOptions, finishWithVerdict, slosFromFlags, type VerdictFlags } from '../verdict-output.js';

interface RunFlags extends VerdictFlags {
  out?: string;
  resume?: boolean;
  retryFailed?: boolean;
  json?: boolean;
  force?: boolean;
  costModel?: string;
}

const FORCE_HELP = "run even the runs predicted not to fit this machine's CPU (hard limits still refuse)";
const COST_MODEL_HELP = `the testbed's cost model (default ${DEFAULT_COST_MODEL_PATH}, from kos-test testbed calibrate; missing: built in)`;

export function registerExperimentCommands(program: Command): void {
  const experiment = program
    .command('experiment')
    .description('The Main Experiment: a grid of runs over OPS x NCA x POP x NNA x NKA.');
  experiment
    .command('schema')
    .description('Print the JSON Schema of experiment specs (for editors).')
    .action(() => {
      process.stdout.write(specJsonSchemaText());
    });
  experiment
    .command('plan <spec>')
    .description(
      'Print the run list (factors, phase durations) and the total estimated time; refuse what the target cannot hold.',
    )
    .option(
      '--no-target-check',
      'do not ask the target whether it can hold the plan (e.g. no cluster access here)',
    )
    .option('--force', FORCE_HELP)
    .option('--cost-model <file>', COST_MODEL_HELP)
    .action(
      async (specPath: string, flags: { targetCheck: boolean; force?: boolean; costModel?: string }) => {
        const { resolved } = await loadSpecFile(specPath);
        const plan = planExperiment(resolved, { seed: randomSeed() });
        const kind = resolved.spec.target.kind;
        if (!flags.targetCheck) {
          console.log(planText(plan, kind));
          return;
        }
        const target = makeTarget(resolved, defaultOut(resolved.spec.name), () => undefined, flags.costModel);
        const facts = await target.facts();
        const capacity =
          facts.kind === 'testbed'
            ? {
                verdicts: plan.runs.map((r) => runCapacity(r, facts)),
                cores: facts.cores,
                modelNote: facts.costModelNote,
              }
            : undefined;
        console.log(planText(plan, kind, capacity));
        if (resolved.spec.order !== 'listed' && resolved.spec.order.seed === undefined)
          console.log(
            '(the seed above was chosen for this listing; `experiment run` chooses and records its own)',
          );
        refuseInfeasible(kind, checkFeasibility(plan, facts), flags.force === true);
      },
    );
  addVerdictOptions(
    experiment
      .command('run <spec>')
      .description(
        'Run the sweep: configure the target, drive, collect costs, record each run and its verdict; --resume continues one.',
      )
      .option('--out <dir>', 'sweep directory (default out/experiments/<spec name>)')
      .option('--resume', 'continue the sweep in --out: skip recorded runs, re-do interrupted ones')
      .option(
        '--retry-failed',
        'with --resume: re-do the failed and invalid runs too (their records are kept)',
      )
      .option('--json', 'progress as JSON lines even on a terminal')
      .option('--force', FORCE_HELP)
      .option('--cost-model <file>', COST_MODEL_HELP),
  ).action(async (specPath: string, flags: RunFlags) => {
    const done = await runCommand(specPath, flags);
    await finishSweep(done, flags);
  });
  addVerdictOptions(
    experiment
      .command('verdict <sweep-dir>')
      .description(
        "Judge a recorded sweep again: each run's validity as recorded, SLOs as recorded or, with --slo, the spec's and these; exit by the verdict.",
      ),
  ).action(async (dir: string, flags: VerdictFlags) => {
    const { records } = await loadSweep(dir);
    const specPath = join(dir, 'spec.yaml');
    const specText = await readFile(specPath, 'utf8').catch(() => {
      throw new KosTestError({
        what: 'no spec.yaml in the sweep directory',
        value: specPath,
        fix: 'give the directory that `kos-test experiment run` wrote, which keeps the spec',
      });
    });
    const resolved = parseSpecText(specPath, specText);
    const slos = flags.slo === undefined ? undefined : [...resolved.slos, ...slosFromFlags(flags)];
    await finishWithVerdict({
      suite: records[0]?.sweepId ?? resolved.spec.name,
      runs: [...records]
        .sort((a, b) => a.index - b.index)
        .map((r) => recordVerdict(r, resolved.validity, slos)),
      flags,
      verdictPath: join(dir, 'verdict.json'),
      print: (l) => {
        console.log(l);
      },
    });
  });
  experiment
    .command('quickstart')
    .description(
      'The main job: run examples/quickstart.yaml on a fresh testbed, check the results, and report them.',
    )
    .option('--out <dir>', 'sweep directory (default out/quickstart/<UTC time>)')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (flags: { out?: string }) => {
      await quickstart(flags.out);
    });
}

async function quickstart(outFlag: string | undefined): Promise<void> {
  const spec = fileURLToPath(new URL('../../../../examples/quickstart.yaml', import.meta.url));
  const out = outFlag ?? join('out', 'quickstart', new Date().toISOString().replace(/[:.]/g, '-'));
  const done = await runCommand(spec, { out });
  const { store, reportHtml } = done;
  const problems = store.records().flatMap(accountingProblems);
  console.log(
    problems.length === 0
      ? `${store.records().length} runs completed; counts add up and cruise OPS is within ${RATE_TOLERANCE * 100}% of target in every run`
      : `the results break the accounting identities: ${problems.join('; ')}`,
  );
  try {
    await finishSweep(done, {});
    if (problems.length > 0) {
      throw new KosTestError({
        what: 'the quickstart results break the accounting identities',
        value: `${problems.length} problem(s), listed above`,
        fix: `see ${store.jsonlPath} and the runs' logs`,
      });
    }
  } finally {
    // Whatever the verdict, the main job's last line says where to look.
    console.log(`report:  ${reportHtml}`);
  }
}

interface SweepDone {
  store: ResultsStore;
  reportHtml: string;
  resolved: ResolvedSpec;
}

/** The verdict of every run the sweep directory holds (resumed ones too), and the exit by it. */
async function finishSweep(done: SweepDone, flags: VerdictFlags): Promise<void> {
  await finishWithVerdict({
    suite: done.store.meta.sweepId,
    runs: [...done.store.records()]
      .sort((a, b) => a.index - b.index)
      .map((r) => recordVerdict(r, done.resolved.validity)),
    flags,
    verdictPath: join(done.store.dir, 'verdict.json'),
    print: (l) => {
      console.log(l);
    },
  });
}

function defaultOut(name: string): string {
  return join('out', 'experiments', name);
}

async function runCommand(specPath: string, flags: RunFlags): Promise<SweepDone> {
  if (flags.retryFailed === true && flags.resume !== true)
    throw new KosTestError({
      what: '--retry-failed re-does runs of a sweep already begun',
      value: '--retry-failed without --resume',
      fix: 'add --resume (and the sweep directory as --out)',
    });
  const { text, resolved } = await loadSpecFile(specPath);
  const slos = [...resolved.slos, ...slosFromFlags(flags)];
  const out = resolve(flags.out ?? defaultOut(resolved.spec.name));
  await preflight(sweepNeeds(resolved, out), binaryProbe());
  const tty = process.stdout.isTTY && flags.json !== true;
  const emit = progressReporter({ tty, write: (s) => process.stdout.write(s), now: Date.now });
  const log = (m: string): void => {
    emit({ kind: 'message', text: m });
  };
  const target = makeTarget(resolved, out, log, flags.costModel);
  const force = { force: flags.force === true };
  // Everything that can refuse happens before the store or the target starts anything.
  const selftest = resolved.spec.selftest ? await clusterSelftestFirst(resolved.spec, out, log) : undefined;
  let store: ResultsStore;
  let checked;
  if (flags.resume === true) {
    store = await ResultsStore.open({ dir: out, spec: resolved.spec });
    checked = await checkedPlan(resolved, target, store.meta.seed ?? undefined, force);
  } else {
    const seed = resolved.spec.order === 'listed' ? undefined : (resolved.spec.order.seed ?? randomSeed());
    checked = await checkedPlan(resolved, target, seed, force);
    store = await ResultsStore.create({
      dir: out,
      specText: text,
      spec: resolved.spec,
      sweepId: sweepIdOf(resolved.spec.name, Date.now()),
      seed: checked.plan.seed,
      nowMs: Date.now(),
    });
  }
  const plan = checked.plan;
  for (const x of checked.forced) log(`--force: running anyway, ${refusalText(x)}`);
  if (selftest !== undefined)
    await writeFileAtomic(join(store.dir, SELFTEST_FILE), `${JSON.stringify(selftest, null, 2)}\n`);
  // ^C: the run in progress ends its cruise early and is recorded `interrupted` with what it
  // measured, and no other run starts; ^C again or SIGTERM stops now (the driver still writes its
  // outputs). Either way the target goes down, and --resume re-does the interrupted run.
  killChildrenOnExit();
  const interruption = onInterrupt(log, {
    stop: 'ending this run early, recording what it measured, starting no other',
    now: 'stopping now, recording what was measured',
    fix: `run the same command with --resume --out ${store.dir} to finish the sweep`,
  });
  // The status line's ETA counts down between events.
  const ticker = tty
    ? setInterval(() => {
        emit({ kind: 'tick' });
      }, 1000)
    : undefined;
  ticker?.unref();
  try {
    await runSweep({
      plan,
      store,
      target,
      drive: driveStepFor(inProcessDriveStep(log), log),
      costs: (req) => collectCosts(req),
      samples: (req) => waitForFreshSamples(req),
      X: resolved.spec.X,
      validity: resolved.validity,
      slos,
      sampleHost: () => startHostSampling(),
      now: Date.now,
      signal: interruption.now,
      stop: interruption.stop,
      retryFailed: flags.retryFailed === true,
      emit,
      // A report a user can open while the sweep goes on: cheap (no PNGs) after each run.
      afterRun: async () => {
        await writeSweepReport(store.dir, { png: false, records: store.records() });
      },
    });
  } catch (e: unknown) {
    // What the interrupted sweep recorded is in its report, so the exit's one line can point at it.
    if (interruption.stop.aborted)
      await writeSweepReport(store.dir, { png: false, records: store.records() }).catch(() => undefined);
    throw e;
  } finally {
    clearInterval(ticker);
    await target.close();
    interruption.dispose();
  }
  const report = await writeSweepReport(store.dir, { records: store.records() });
  console.log(`results: ${store.csvPath}`);
  console.log(`records: ${store.jsonlPath}`);
  console.log(`runs:    ${join(store.dir, 'runs')}`);
  console.log(`report:  ${report.html}`);
  return { store, reportHtml: report.html, resolved };
}

/** The cluster checks of the selftest; a failed one stops the sweep before it starts (spec: selftest: true). */
async function clusterSelftestFirst(
  spec: ExperimentSpec,
  out: string,
  log: (m: string) => void,
): Promise<SelftestReport> {
  const t = spec.target;
  if (t.kind !== 'cluster') {
    throw new KosTestError({
      what: 'selftest: true needs a cluster target',
      value: `target: ${t.kind}`,
      fix: 'run `kos-test selftest` for the testbed, or drop selftest from the spec',
    });
  }
  log('selftest: the cluster checks first');
  const report = await runClusterSelftest({
    kubeconfigPath: resolve(t.kubeconfig),
    prometheusUrl: t.prometheusUrl,
    plannedOps: Math.max(...spec.factors.OPS),
    outDir: join(out, 'selftest'),
    log,
  });
  process.stdout.write(formatSelftest(report));
  const failed = report.checks.filter((c) => !c.pass);
  if (failed.length > 0) {
    throw new KosTestError({
      what: 'the cluster failed the selftest: the sweep did not start',
      value: failed.map((c) => c.check).join('; '),
      fix: 'fix what the FAIL lines above say, or set selftest: false to measure anyway',
    });
  }
  return report;
}
