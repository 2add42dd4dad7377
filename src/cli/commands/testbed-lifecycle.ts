/**
 * `kos-test testbed up | status | scale | down`: `up` owns the testbed's processes in the
 * foreground (^C takes it down); the others find it through `<dir>/testbed.json`.
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { preflight } from '../../preflight/preflight.js';
import { binaryProbe, testbedNeeds } from '../../preflight/preflight-needs.js';
import { installExitHandlers, stopChildrenAndExit } from '../exit.js';
import { startControlServer } from '../../testbed/supervisor/control-server.js';
import { FaultInjector } from '../../testbed/supervisor/fault-actions.js';
import { Testbed, type TestbedStatus } from '../../testbed/supervisor/testbed.js';
import type { TestbedScale } from '../../testbed/supervisor/testbed-config.js';
import { isOurProcess, stopOwnedLeftovers } from '../../process/owned-pids.js';
import {
  DEFAULT_TESTBED_DIR,
  readTestbedState,
  removeTestbedState,
  stateFile,
  writeTestbedState,
  type TestbedState,
} from '../../testbed/supervisor/testbed-state.js';
import { KosTestError, toError } from '../../util/errors.js';
import { TESTBED_DEFAULTS as D, TESTBED_LIMITS as L } from '../../testbed/testbed-limits.js';
import { etcdMembersOption, intOption } from '../options.js';
import { textTable } from '../../util/text-table.js';

const DEFAULT_DIR = DEFAULT_TESTBED_DIR;
const DOWN_TIMEOUT_MS = 60_000;

interface UpOptions {
  dir: string;
  nca: string;
  nna: string;
  nka: string;
  netcd: string;
  ketcd: string;
  agentsPerGroup: string;
  compNodes: string;
  napiNodes: string;
  fabricDelay: string;
  prometheus: boolean;
  netFaults?: boolean;
}

export function registerTestbedLifecycle(testbed: Command): void {
  testbed
    .command('up')
    .description('Bring the whole testbed up in the foreground; ^C (or `testbed down`) takes it down.')
    .option('--dir <dir>', 'state directory (etcd data, node logs, kubeconfig)', DEFAULT_DIR)
    .option('--nca <n>', 'connection agents (hollow comp nodes)', String(D.nca))
    .option('--nna <n>', 'network-apiservers', String(D.nna))
    .option('--nka <n>', 'kube fronts (kube-apiservers)', String(D.nka))
    .option('--netcd <n>', 'etcd members for KOS objects: 1 or 3', String(D.netcd))
    .option('--ketcd <n>', 'etcd members for Kubernetes objects: 1 or 3', String(D.ketcd))
    .option('--agents-per-group <n>', 'hollow agents per OS process', String(D.agentsPerGroup))
    .option(
      '--comp-nodes <n>',
      'comp Nodes (kos-role/comp candidates; agents run on those =true); 0: NCA',
      String(D.compNodes),
    )
    .option(
      '--napi-nodes <n>',
      'napi Nodes (where the network-apiserver Deployment may scale to); 0: NNA',
      String(D.napiNodes),
    )
    .option(
      '--fabric-delay <delay>',
      'stand-in fabric delay: 3ms, exp:3ms, uniform:1ms-5ms, normal:3ms,1ms',
      D.fabricDelay,
    )
    .option('--no-prometheus', 'do not run Prometheus on data0 (no cost data)')
    .option(
      '--net-faults',
      'relay napi, kube front and etcd client traffic so drive --fault can delay or partition it (tc netem is not used: ADR 0034)',
    )
    .action(async (o: UpOptions) => {
      await up(o);
    });
  testbed
    .command('status')
    .description('Show the running testbed: every process, its nodes and endpoints.')
    .option('--dir <dir>', 'state directory', DEFAULT_DIR)
    .option('--json', 'print the status as JSON')
    .action(async (o: { dir: string; json?: boolean }) => {
      const status = await control<TestbedStatus>(resolve(o.dir), 'GET', '/status');
      console.log(o.json === true ? JSON.stringify(status, null, 2) : formatStatus(status));
    });
  testbed
    .command('scale')
    .description('Change NCA, NNA or NKA of the running testbed.')
    .option('--dir <dir>', 'state directory', DEFAULT_DIR)
    .option('--nca <n>', 'connection agents')
    .option('--nna <n>', 'network-apiservers')
    .option('--nka <n>', 'kube fronts')
    .action(async (o: { dir: string; nca?: string; nna?: string; nka?: string }) => {
      const change: TestbedScale = {
        ...(o.nca === undefined ? {} : { nca: intOption('--nca', o.nca, L.nca.min, L.nca.max) }),
        ...(o.nna === undefined ? {} : { nna: intOption('--nna', o.nna, L.nna.min, L.nna.max) }),
        ...(o.nka === undefined ? {} : { nka: intOption('--nka', o.nka, L.nka.min, L.nka.max) }),
      };
      if (Object.keys(change).length === 0)
        throw new KosTestError({ what: 'nothing to scale', fix: 'give --nca, --nna or --nka' });
      const status = await control<TestbedStatus>(resolve(o.dir), 'POST', '/scale', change);
      console.log(formatStatus(status));
    });
  testbed
    .command('down')
    .description('Take the running testbed down and wait until every process has exited.')
    .option('--dir <dir>', 'state directory', DEFAULT_DIR)
    .action(async (o: { dir: string }) => {
      await down(resolve(o.dir));
    });
}

async function up(o: UpOptions): Promise<void> {
  const dir = resolve(o.dir);
  const config = {
    nca: intOption('--nca', o.nca, L.nca.min, L.nca.max),
    nna: intOption('--nna', o.nna, L.nna.min, L.nna.max),
    nka: intOption('--nka', o.nka, L.nka.min, L.nka.max),
    netcd: etcdMembersOption('--netcd', o.netcd),
    ketcd: etcdMembersOption('--ketcd', o.ketcd),
    agentsPerGroup: intOption(
      '--agents-per-group',
      o.agentsPerGroup,
      L.agentsPerGroup.min,
      L.agentsPerGroup.max,
    ),
    compNodes: intOption('--comp-nodes', o.compNodes, L.compNodes.min, L.compNodes.max),
    napiNodes: intOption('--napi-nodes', o.napiNodes, L.napiNodes.min, L.napiNodes.max),
    fabricDelay: o.fabricDelay,
    prometheus: o.prometheus,
    netFaults: o.netFaults === true,
  };
  await preflight(
    testbedNeeds({ testbedDir: dir, prometheus: config.prometheus, outDir: dir }),
    binaryProbe(),
  );
  installExitHandlers();
  const t0 = Date.now();
  const log = (m: string): void => {
    console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${m}`);
  };
  const testbed = await Testbed.up({ dir, config, log });
  // drive --fault asks for faults here: only this supervisor's own processes, by PID (ADR 0030).
  const injector = new FaultInjector(
    () => testbed.status().processes,
    Date.now,
    (name) => testbed.netFaultGate(name),
  );
  const controlServer = await startControlServer({
    status: () => testbed.status(),
    scale: (change) => testbed.scale(change),
    down: () => {
      injector.releaseAll();
      stopChildrenAndExit(0);
    },
    fault: (req) => {
      const f = injector.inject(req);
      return { process: f.process, pid: f.pid, injectedMs: f.injectedMs, endsMs: f.endsMs };
    },
  });
  const promStatus = testbed.status().prometheus;
  const state: TestbedState = {
    pid: process.pid,
    controlUrl: controlServer.url,
    startedAt: new Date().toISOString(),
    kubeconfig: testbed.kubeconfigPath,
    ...(promStatus === undefined ? {} : { prometheus: { url: promStatus.url } }),
  };
  await writeTestbedState(dir, state);
  process.on('exit', () => {
    // Only synchronous work finishes in 'exit': the state file must not outlive the testbed.
    rmSync(stateFile(dir), { force: true });
  });
  console.log(formatStatus(testbed.status()));
  console.log(`\nkubeconfig: ${testbed.kubeconfigPath}`);
  console.log(`Try: KUBECONFIG=${testbed.kubeconfigPath} kubectl get nodes -L kos-role/comp`);
  console.log('Up. Press ^C to take it down (or run kos-test testbed down).');
  await new Promise<never>(() => undefined);
}

async function down(dir: string): Promise<void> {
  const state = await readTestbedState(dir);
  if (state === undefined) {
    console.log(`no testbed is up in ${dir}`);
    return;
  }
  if (await isOurProcess(state.pid, 'testbed')) {
    try {
      await control(dir, 'POST', '/down');
    } catch {
      process.kill(state.pid, 'SIGTERM');
    }
    const deadline = Date.now() + DOWN_TIMEOUT_MS;
    while (await isOurProcess(state.pid, 'testbed')) {
      if (Date.now() > deadline) {
        throw new KosTestError({
          what: 'the testbed supervisor did not exit',
          value: `pid ${state.pid} after ${DOWN_TIMEOUT_MS / 1000} s`,
          fix: `see the logs under ${dir}/nodes; kill ${state.pid} if it hangs`,
        });
      }
      await sleep(100);
    }
  }
  // A supervisor that was killed outright leaves etcd and Prometheus: stop those that are ours.
  await stopOwnedLeftovers(Testbed.leftoversFile(dir));
  await removeTestbedState(dir);
  console.log(`testbed in ${dir} is down`);
}

/** A request to the control endpoint of the testbed up in `dir` (one line when it fails). */
export async function control<T>(dir: string, method: string, path: string, body?: unknown): Promise<T> {
  const state = await readTestbedState(dir);
  if (state === undefined) {
    throw new KosTestError({
      what: 'no testbed is up',
      value: dir,
      fix: 'start one with kos-test testbed up',
    });
  }
  let res: Response;
  try {
    res = await fetch(`${state.controlUrl}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
  } catch (e: unknown) {
    throw new KosTestError({
      what: 'the testbed supervisor does not answer',
      value: `${state.controlUrl} (pid ${state.pid}): ${toError(e).message}`,
      fix: `it may have died: run kos-test testbed down --dir ${dir} to clean up`,
    });
  }
  const json = (await res.json()) as T & { error?: string };
  if (!res.ok)
    throw new KosTestError({
      what: `testbed ${path.slice(1)} failed`,
      value: json.error ?? String(res.status),
    });
  return json;
}

function formatStatus(status: TestbedStatus): string {
  const c = status.config;
  const head = `testbed: NCA ${c.nca}, NNA ${c.nna}, NKA ${c.nka}, netcd ${c.netcd}, ketcd ${c.ketcd}, fabric delay ${c.fabricDelay}`;
  const rows = status.processes.map((p) => [
    p.name,
    p.purpose,
    String(p.pid),
    p.state === 'exited' ? 'EXITED' : p.state,
    String(p.restarts),
    String(p.nodes),
    Object.entries(p.endpoints)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  ]);
  const exporter =
    status.exporter === undefined
      ? ''
      : `\ncost exporter (cAdvisor names): ${status.exporter.metrics} (accounting: ${status.exporter.accounting})`;
  const p = status.prometheus;
  const prometheus =
    p === undefined
      ? '\nprometheus: off'
      : `\nprometheus (data0): ${p.url} (pid ${p.pid}, scrape every ${p.scrapeIntervalMs / 1000} s, data in ${p.dataDir})`;
  const d = status.dataPlane as TestbedStatus['dataPlane'] | undefined;
  const dataPlane =
    d === undefined
      ? ''
      : 'off' in d
        ? `\ndata plane: off (${d.off}); drive with --test-fraction 0`
        : `\ndata plane: netns ${d.netns}, a bridge per VNI; commands from ${d.allowedDirs.join(', ')}`;
  const netFaults =
    status.netFaults === undefined
      ? '\nnetwork faults: off (testbed up --net-faults for delay and partition faults)'
      : `\nnetwork faults: ${status.netFaults}`;
  return `${head}\n${textTable(['PROCESS', 'PURPOSE', 'PID', 'STATE', 'RESTARTS', 'NODES', 'ENDPOINTS'], rows)}${exporter}${prometheus}${dataPlane}${netFaults}`;
}
