import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { spawnManaged, type ManagedChild } from '../../../../src/process/child-registry.js';
import {
  createCgroupAccounting,
  type ResourceAccounting,
} from '../../../../src/testbed/exporter/cgroup-accounting.js';
import { startCostExporter, type CostExporter } from '../../../../src/testbed/exporter/cost-exporter.js';
import { parseProcStat } from '../../../../src/testbed/exporter/proc-parse.js';
import { clockTicksPerSecond, readProcessTree } from '../../../../src/testbed/exporter/process-stats.js';
import { parseSamples } from '../../../../src/testbed/exporter/prom-text.js';
import { nodeAddress } from '../../../../src/testbed/node-addresses.js';
import type { NodeReady } from '../../../../src/testbed/node-ready.js';
import { writeFileAtomic } from '../../../../src/util/atomic-write.js';

/**
 * Burns argv[1] ms of its own CPU time (not wall time, so a loaded machine only slows it), writes
 * argv[2], then idles until stopped.
 */
const BURN =
  'const want = Number(process.argv[1]) * 1000; let x = 0;' +
  'const used = () => { const u = process.cpuUsage(); return u.user + u.system; };' +
  'while (used() < want) for (let i = 0; i < 10000; i++) x += Math.sqrt(x + 1);' +
  "require('fs').writeFileSync(process.argv[2], String(x)); setInterval(() => {}, 1 << 30);";

/**
 * A node process with a child: starts BURN (argv[1] ms, marker argv[2]) as its child, writes the
 * child's pid to argv[3], and writes argv[4] once it has reaped the child; then idles.
 */
const PARENT =
  "const { spawn } = require('child_process'); const fs = require('fs');" +
  'const [ms, burnt, pidFile, reaped] = process.argv.slice(1);' +
  `const c = spawn(process.execPath, ['-e', ${JSON.stringify(BURN)}, ms, burnt], { stdio: 'ignore' });` +
  "fs.writeFileSync(pidFile, String(c.pid)); c.on('exit', () => fs.writeFileSync(reaped, ''));" +
  'setInterval(() => {}, 1 << 30);';

async function waitForFile(path: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear`);
    await sleep(20);
  }
}

/** The kernel's own figure: utime + stime (+ reaped children's) of one process, in seconds. */
async function procCpuSeconds(pid: number): Promise<number> {
  const stat = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  assert.ok(stat, `no stat for ${pid}`);
  const ticks = stat.utimeTicks + stat.stimeTicks + stat.cutimeTicks + stat.cstimeTicks;
  return ticks / (await clockTicksPerSecond());
}

async function scrape(exporter: CostExporter): Promise<string> {
  const res = await fetch(exporter.endpoints.metrics);
  assert.equal(res.status, 200);
  return res.text();
}

function valueOf(text: string, name: string, labels: Record<string, string>): number | undefined {
  return parseSamples(text, (n) => n === name).find((s) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}

function assertWithin(actual: number, expected: number, fraction: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= fraction * expected,
    `${what}: ${actual.toFixed(4)} vs ${expected.toFixed(4)} (more than ${fraction * 100}% apart)`,
  );
}

describe('cost exporter CPU against the kernel’s accounting', () => {
  let dir = '';
  const testbedId = `exporter-cpu-${process.pid}-${randomBytes(3).toString('hex')}`;
  let accounting: ResourceAccounting;
  let procOnly: ResourceAccounting;
  let exporter: CostExporter;
  let procExporter: CostExporter;
  const children: ManagedChild[] = [];

  const burn = async (ms: number): Promise<ManagedChild> => {
    const marker = join(dir, `burnt-${children.length}`);
    const child = spawnManaged({
      name: 'burner',
      command: process.execPath,
      args: ['-e', BURN, String(ms), marker],
    });
    children.push(child);
    // At once, so the cgroup sees (nearly) all of its CPU and memory.
    await accounting.place('nctrl0', child.pid);
    await waitForFile(marker);
    return child;
  };

  const writeReady = (ready: NodeReady): Promise<void> =>
    writeFileAtomic(join(dir, 'nodes', ready.name, 'ready.json'), `${JSON.stringify(ready)}\n`);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-exporter-cpu-'));
    accounting = await createCgroupAccounting(testbedId);
    procOnly = await createCgroupAccounting(`${testbedId}-proc`, { mode: 'proc' });
    const host = nodeAddress('data', 0);
    exporter = await startCostExporter({ name: 'exporter', host, testbedDir: dir, accounting });
    procExporter = await startCostExporter({
      name: 'proc-exporter',
      host,
      testbedDir: dir,
      accounting: procOnly,
    });
  });

  after(async () => {
    // A grandchild outlives a parent that did not stop it, so stop it by its pid first.
    const grandchild = await readFile(join(dir, 'grandchild.pid'), 'utf8').catch(() => undefined);
    if (grandchild !== undefined) {
      try {
        process.kill(Number(grandchild), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await Promise.all(children.map((c) => c.stop()));
    await Promise.all([exporter.stop(), procExporter.stop()]);
    const left = [...(await accounting.remove()), ...(await procOnly.remove())];
    assert.deepEqual(left, [], 'every cgroup removed');
    for (const d of accounting.cgroupDirs) assert.equal(existsSync(d), false, `${d} still exists`);
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the CPU of a busy process within 5% of /proc, in both modes', async (t) => {
    t.diagnostic(
      `accounting mode: ${accounting.mode}${accounting.fallbackReason === undefined ? '' : ` (${accounting.fallbackReason})`}`,
    );
    const child = await burn(1000);
    await writeReady({ name: 'nctrl0', purpose: 'nctrl', pid: child.pid, nodes: ['nctrl0'], endpoints: {} });
    const text = await scrape(exporter);
    const procText = await scrape(procExporter);
    const kernel = await procCpuSeconds(child.pid);
    const labels = { node: 'nctrl0', purpose: 'nctrl', id: '/' };
    const reported = valueOf(text, 'container_cpu_usage_seconds_total', labels);
    const fromProc = valueOf(procText, 'container_cpu_usage_seconds_total', labels);
    assert.ok(reported !== undefined && fromProc !== undefined, text);
    t.diagnostic(
      `kernel ${kernel.toFixed(3)} s, exporter (${accounting.mode}) ${reported.toFixed(3)} s, proc mode ${fromProc.toFixed(3)} s`,
    );
    assert.ok(kernel > 0.8, `the child burnt ${kernel} s`);
    assertWithin(reported, kernel, 0.05, `${accounting.mode} exporter vs /proc`);
    assertWithin(fromProc, kernel, 0.05, 'proc exporter vs /proc');
    const reading = await accounting.read('nctrl0', child.pid);
    assert.equal(reading?.source, accounting.mode);
    const workingSet = valueOf(text, 'container_memory_working_set_bytes', labels) ?? 0;
    const rss = valueOf(text, 'container_memory_rss', labels) ?? 0;
    const procWorkingSet = valueOf(procText, 'container_memory_working_set_bytes', labels) ?? 0;
    const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
    t.diagnostic(`working set ${mib(workingSet)} (proc mode ${mib(procWorkingSet)}), rss ${mib(rss)}`);
    assert.ok(workingSet > 1024 * 1024 && rss > 1024 * 1024, `working set ${workingSet}, rss ${rss}`);
    assert.equal(valueOf(text, 'machine_cpu_cores', {}), cpus().length);
    assert.equal(valueOf(text, 'container_network_receive_bytes_total', labels), undefined);
    assert.ok((valueOf(text, 'kos_testbed_exporter_errors_total', { reason: 'network' }) ?? 0) >= 1);
  });

  it('keeps the counter monotonic when the node’s process is replaced', async () => {
    const labels = { node: 'nctrl0' };
    const first = children[0];
    assert.ok(first);
    const beforeRestart = valueOf(await scrape(exporter), 'container_cpu_usage_seconds_total', labels) ?? NaN;
    const procBefore =
      valueOf(await scrape(procExporter), 'container_cpu_usage_seconds_total', labels) ?? NaN;
    const second = await burn(400);
    await writeReady({ name: 'nctrl0', purpose: 'nctrl', pid: second.pid, nodes: ['nctrl0'], endpoints: {} });
    const secondCpu = await procCpuSeconds(second.pid);
    const afterRestart = valueOf(await scrape(exporter), 'container_cpu_usage_seconds_total', labels) ?? NaN;
    const procAfter = valueOf(await scrape(procExporter), 'container_cpu_usage_seconds_total', labels) ?? NaN;
    // proc mode: the old process's last reading becomes an offset. cgroup mode: the cgroup holds both.
    assertWithin(procAfter - procBefore, secondCpu, 0.05, 'proc mode: growth = the new process’s CPU');
    assertWithin(
      afterRestart - beforeRestart,
      secondCpu,
      0.05,
      `${accounting.mode}: growth = the new process’s CPU`,
    );
  });

  it('counts a node process’s descendants, also once they have exited', async (t) => {
    const burnt = join(dir, 'grandchild-burnt');
    const pidFile = join(dir, 'grandchild.pid');
    const reaped = join(dir, 'grandchild-reaped');
    const parent = spawnManaged({
      name: 'parent',
      command: process.execPath,
      args: ['-e', PARENT, '600', burnt, pidFile, reaped],
    });
    children.push(parent);
    await accounting.place('kctrl0', parent.pid);
    await waitForFile(burnt);
    await writeReady({ name: 'kctrl0', purpose: 'kctrl', pid: parent.pid, nodes: ['kctrl0'], endpoints: {} });
    const grandchild = Number(await readFile(pidFile, 'utf8'));
    const labels = { node: 'kctrl0' };

    const live = await readProcessTree(parent.pid);
    assert.deepEqual(live?.pids, [parent.pid, grandchild]);
    const kernel = (await procCpuSeconds(parent.pid)) + (await procCpuSeconds(grandchild));
    assert.ok(kernel > 0.5, `the tree burnt ${kernel} s`);
    const whileLive = valueOf(await scrape(exporter), 'container_cpu_usage_seconds_total', labels) ?? NaN;
    const procWhileLive =
      valueOf(await scrape(procExporter), 'container_cpu_usage_seconds_total', labels) ?? NaN;
    assertWithin(whileLive, kernel, 0.05, `${accounting.mode}: parent + live child`);
    assertWithin(procWhileLive, kernel, 0.05, 'proc: parent + live child');

    process.kill(grandchild, 'SIGTERM');
    await waitForFile(reaped);
    const gone = await readProcessTree(parent.pid);
    assert.deepEqual(gone?.pids, [parent.pid]);
    const afterExit = valueOf(await scrape(exporter), 'container_cpu_usage_seconds_total', labels) ?? NaN;
    const procAfterExit =
      valueOf(await scrape(procExporter), 'container_cpu_usage_seconds_total', labels) ?? NaN;
    t.diagnostic(
      `tree CPU ${kernel.toFixed(3)} s; exporter ${whileLive.toFixed(3)} → ${afterExit.toFixed(3)} s, ` +
        `proc ${procWhileLive.toFixed(3)} → ${procAfterExit.toFixed(3)} s after the child was reaped`,
    );
    assertWithin(afterExit, kernel, 0.05, `${accounting.mode}: the reaped child still counts`);
    assertWithin(procAfterExit, kernel, 0.05, 'proc: the reaped child still counts (cutime)');
    await rm(join(dir, 'nodes', 'kctrl0'), { recursive: true });
  });

  it('skips what it cannot read and counts it', async () => {
    const gone = spawnManaged({ name: 'short', command: process.execPath, args: ['-e', ''] });
    await gone.exited;
    await writeReady({ name: 'napi0', purpose: 'napi', pid: gone.pid, nodes: ['napi0'], endpoints: {} });
    await writeFileAtomic(join(dir, 'nodes', 'kapi0', 'ready.json'), '{"name": "kapi0"');
    await writeFile(join(dir, 'nodes', 'not-a-dir'), 'x');
    const text = await scrape(exporter);
    assert.equal(valueOf(text, 'container_cpu_usage_seconds_total', { node: 'napi0' }), undefined);
    assert.ok(valueOf(text, 'container_cpu_usage_seconds_total', { node: 'nctrl0' }) !== undefined);
    assert.ok((valueOf(text, 'kos_testbed_exporter_errors_total', { reason: 'process' }) ?? 0) >= 1);
    assert.ok((valueOf(text, 'kos_testbed_exporter_errors_total', { reason: 'ready_file' }) ?? 0) >= 1);
    const health = await fetch(`${exporter.url}/healthz`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
    await rm(join(dir, 'nodes', 'napi0'), { recursive: true });
    await rm(join(dir, 'nodes', 'kapi0'), { recursive: true });
  });
});
