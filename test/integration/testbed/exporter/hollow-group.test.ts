import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { spawnManaged, type ManagedChild } from '../../../../src/process/child-registry.js';
import {
  createCgroupAccounting,
  type ResourceAccounting,
} from '../../../../src/testbed/exporter/cgroup-accounting.js';
import { startCostExporter, type CostExporter } from '../../../../src/testbed/exporter/cost-exporter.js';
import { readProcessTree } from '../../../../src/testbed/exporter/process-stats.js';
import { parseSamples, type Sample } from '../../../../src/testbed/exporter/prom-text.js';
import type { ByteCounts } from '../../../../src/testbed/exporter/socket-accounting.js';
import { nodeAddress, nodeName } from '../../../../src/testbed/node-addresses.js';

const moduleUrl = (name: string): string =>
  new URL(`../../../../src/testbed/exporter/${name}.js`, import.meta.url).href;

/**
 * A stand-in for a hollow agent group process: installs socket accounting and a node stats
 * server as node-main will, burns CPU, then has each of its nodes (comp<first>..) POST a body
 * of (k+1)*100 bytes from its own address on a keep-alive connection that stays open, writes
 * its ready file, and idles. Exits when its parent goes.
 * argv: dir name first count burnMs serverUrl
 */
const GROUP = `
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
const { installSocketAccounting } = await import(${JSON.stringify(moduleUrl('socket-accounting'))});
const { startNodeStatsServer } = await import(${JSON.stringify(moduleUrl('node-stats-server'))});
const [dir, name, firstText, countText, burnMs, serverUrl] = process.argv.slice(1);
const first = Number(firstText);
const count = Number(countText);
const address = (i) => '127.10.' + Math.floor(i / 254) + '.' + ((i % 254) + 1);
const accounting = installSocketAccounting();
const stats = await startNodeStatsServer({ host: address(first), accounting });
const end = Date.now() + Number(burnMs);
let x = 0;
while (Date.now() < end) x += Math.sqrt(x + 1);
const agents = [];
const post = (k) => new Promise((resolve, reject) => {
  const agent = new Agent({ keepAlive: true, localAddress: address(first + k) });
  agents.push(agent);
  const req = request(serverUrl, { method: 'POST', agent }, (res) => { res.resume(); res.on('end', resolve); });
  req.on('error', reject);
  req.end('b'.repeat((k + 1) * 100));
});
for (let k = 0; k < count; k += 25) {
  await Promise.all(Array.from({ length: Math.min(25, count - k) }, (_, j) => post(k + j)));
}
const nodes = Array.from({ length: count }, (_, k) => 'comp' + (first + k));
const ready = { name, purpose: 'comp', pid: process.pid, nodes, endpoints: { nodeStats: stats.url } };
mkdirSync(join(dir, 'nodes', name), { recursive: true });
const file = join(dir, 'nodes', name, 'ready.json');
writeFileSync(file + '.tmp', JSON.stringify(ready) + String.fromCharCode(10));
renameSync(file + '.tmp', file);
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 500);
`;

/** The far end of every group's traffic: counts bytes per remote (node) address, live and closed. */
class CountingServer {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly closed = new Map<string, ByteCounts>();

  constructor() {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    this.server.keepAliveTimeout = 0;
    this.server.on('connection', (s: Socket) => {
      const remote = s.remoteAddress ?? '';
      this.sockets.add(s);
      s.once('close', () => {
        this.sockets.delete(s);
        add(this.closed, remote, { receivedBytes: s.bytesRead, sentBytes: s.bytesWritten });
      });
    });
  }

  /** Bytes each remote address sent us (its transmit) and we sent it (its receive). */
  byRemote(): Map<string, ByteCounts> {
    const out = new Map<string, ByteCounts>();
    for (const [a, c] of this.closed) add(out, a, { receivedBytes: c.sentBytes, sentBytes: c.receivedBytes });
    for (const s of this.sockets) {
      add(out, s.remoteAddress ?? '', { receivedBytes: s.bytesWritten, sentBytes: s.bytesRead });
    }
    return out;
  }

  async listen(host: string): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function add(into: Map<string, ByteCounts>, key: string, c: ByteCounts): void {
  const had = into.get(key) ?? { receivedBytes: 0, sentBytes: 0 };
  into.set(key, {
    receivedBytes: had.receivedBytes + c.receivedBytes,
    sentBytes: had.sentBytes + c.sentBytes,
  });
}

function byNode(samples: Sample[], name: string): Map<string, Sample> {
  return new Map(samples.filter((s) => s.name === name).map((s) => [s.labels.node ?? '', s]));
}

async function waitForFile(path: string, child: ManagedChild, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    assert.ok(child.isRunning(), `${child.name} exited before writing ${path}`);
    if (Date.now() > deadline) throw new Error(`${path} did not appear in ${timeoutMs} ms`);
    await sleep(25);
  }
}

interface Fixture {
  dir: string;
  accounting: ResourceAccounting;
  exporter: CostExporter;
  target: CountingServer;
  groups: ManagedChild[];
}

async function startFixture(id: string, groups: number, perGroup: number, burnMs: number): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), `kos-test-exporter-${id}-`));
  const accounting = await createCgroupAccounting(
    `exporter-${id}-${process.pid}-${randomBytes(3).toString('hex')}`,
  );
  const target = new CountingServer();
  const serverUrl = await target.listen(nodeAddress('napi', 152));
  const exporter = await startCostExporter({
    name: 'exporter',
    host: nodeAddress('data', 0),
    testbedDir: dir,
    accounting,
    scrapeTimeoutMs: 10_000,
  });
  const fixture: Fixture = { dir, accounting, exporter, target, groups: [] };
  try {
    for (let g = 0; g < groups; g++) {
      const name = `comp-group${g}`;
      const child = spawnManaged({
        name,
        command: process.execPath,
        args: [
          '--input-type=module',
          '-e',
          GROUP,
          dir,
          name,
          String(g * perGroup),
          String(perGroup),
          String(burnMs),
          serverUrl,
        ],
        logFile: join(dir, `${name}.log`),
      });
      fixture.groups.push(child);
      await accounting.place(name, child.pid);
    }
    await Promise.all(
      fixture.groups.map((c) => waitForFile(join(dir, 'nodes', c.name, 'ready.json'), c, 60_000)),
    );
  } catch (e: unknown) {
    await stopFixture(fixture);
    throw e;
  }
  return fixture;
}

async function stopFixture(f: Fixture): Promise<void> {
  await Promise.all(f.groups.map((c) => c.stop()));
  await f.exporter.stop();
  await f.target.close();
  assert.deepEqual(await f.accounting.remove(), []);
  await rm(f.dir, { recursive: true, force: true });
}

async function scrape(f: Fixture): Promise<Sample[]> {
  const res = await fetch(f.exporter.endpoints.metrics);
  assert.equal(res.status, 200);
  return parseSamples(await res.text());
}

/** Every node's exported traffic equals, byte for byte, what the far end counted for its address. */
function assertExactTraffic(samples: Sample[], f: Fixture, nodes: number): void {
  const rx = byNode(samples, 'container_network_receive_bytes_total');
  const tx = byNode(samples, 'container_network_transmit_bytes_total');
  const far = f.target.byRemote();
  assert.equal(rx.size, nodes);
  for (let i = 0; i < nodes; i++) {
    const node = nodeName('comp', i);
    const expected = far.get(nodeAddress('comp', i));
    assert.ok(expected, `the far end saw nothing from ${node}`);
    assert.equal(tx.get(node)?.value, expected.sentBytes, `${node} transmit`);
    assert.equal(rx.get(node)?.value, expected.receivedBytes, `${node} receive`);
    assert.equal(rx.get(node)?.labels.hollow, 'true');
    assert.equal(rx.get(node)?.labels.interface, 'lo');
  }
}

describe('cost exporter on a hollow agent group', () => {
  let f: Fixture;

  before(async () => {
    f = await startFixture('hollow', 1, 4, 800);
  });

  after(async () => {
    await stopFixture(f);
  });

  it('divides the group’s CPU and memory by its 4 nodes and keeps traffic exact per node', async (t) => {
    const group = f.groups[0];
    assert.ok(group);
    const samples = await scrape(f);
    const kernel = await readProcessTree(group.pid);
    assert.ok(kernel);
    const cpu = byNode(samples, 'container_cpu_usage_seconds_total');
    const workingSet = byNode(samples, 'container_memory_working_set_bytes');
    assert.deepEqual([...cpu.keys()].sort(), ['comp0', 'comp1', 'comp2', 'comp3']);
    t.diagnostic(
      `group CPU ${kernel.cpuSeconds.toFixed(3)} s (/proc); per node ${cpu.get('comp0')?.value.toFixed(4)} s (${f.accounting.mode})`,
    );
    for (const [node, s] of cpu) {
      assert.equal(s.labels.hollow, 'true', node);
      assert.ok(
        Math.abs(s.value - kernel.cpuSeconds / 4) <= 0.05 * (kernel.cpuSeconds / 4),
        `${node}: ${s.value}`,
      );
      assert.equal(workingSet.get(node)?.value, workingSet.get('comp0')?.value, 'an even share');
    }
    assert.ok((workingSet.get('comp0')?.value ?? 0) > 0);
    assertExactTraffic(samples, f, 4);
    const tx = byNode(samples, 'container_network_transmit_bytes_total');
    assert.ok(
      (tx.get('comp3')?.value ?? 0) - (tx.get('comp0')?.value ?? 0) === 300,
      'bodies of 400 vs 100 bytes',
    );
  });
});

describe('cost exporter at scale: 1,800 hollow nodes in 18 groups', () => {
  let f: Fixture;

  before(async () => {
    f = await startFixture('scale', 18, 100, 0);
  });

  after(async () => {
    await stopFixture(f);
  });

  it('serves every node with exact traffic, and says how long a scrape takes', async (t) => {
    const first = performance.now();
    const samples = await scrape(f);
    const firstMs = performance.now() - first;
    assertExactTraffic(samples, f, 1800);
    assert.equal(byNode(samples, 'container_cpu_usage_seconds_total').size, 1800);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await scrape(f);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    // In-process, without HTTP: wall time, and this process's CPU (the exporter's share of it).
    const cpuBefore = process.cpuUsage();
    const direct = performance.now();
    for (let i = 0; i < 5; i++) await f.exporter.scrape();
    const directMs = (performance.now() - direct) / 5;
    const cpu = process.cpuUsage(cpuBefore);
    t.diagnostic(
      `scrape of 1,800 nodes (${f.accounting.mode}) over HTTP: first ${firstMs.toFixed(0)} ms, ` +
        `then median ${times[2]?.toFixed(0)} ms, max ${times[4]?.toFixed(0)} ms; ` +
        `scrape() alone ${directMs.toFixed(0)} ms, ${((cpu.user + cpu.system) / 5000).toFixed(0)} ms CPU`,
    );
    const errors = samples.filter((s) => s.name === 'kos_testbed_exporter_errors_total' && s.value > 0);
    assert.deepEqual(errors, []);
  });
});
