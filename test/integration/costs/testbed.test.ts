import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { collectCosts } from '../../../src/costs/collect-costs.js';
import { nodePurposesFromKube } from '../../../src/costs/kube-node-purposes.js';
import { COSTED_PURPOSES, costTableSchema, type CostTable } from '../../../src/measure/cost-table.js';
import { RestClient } from '../../../src/kube/rest-client.js';
import { createPrometheusClient } from '../../../src/prometheus/prometheus-api.js';
import { nodeAddress } from '../../../src/testbed/node-addresses.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';
import {
  burnInNode,
  frontAttachmentsUrl,
  postPaddedBodies,
} from '../../../src/selftest/testbed/cost-probes.js';
import { formatCostTable } from '../../../src/cli/cost-table-text.js';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findFreePort } from '../../../src/net/free-port.js';
import {
  startTestbedPrometheus,
  type TestbedPrometheus,
} from '../../../src/testbed/prometheus/testbed-prometheus.js';
import { testbedTargets } from '../../../src/testbed/prometheus/testbed-targets.js';
import { KosTestError } from '../../../src/util/errors.js';

const cli = fileURLToPath(new URL('../../../../bin/kos-test.js', import.meta.url));
const execFileAsync = promisify(execFile);

/** Runs `kos-test costs ...`; never throws, returns the exit code and output. */
async function runCosts(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [cli, 'costs', ...args], {
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e: unknown) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const KOS = { group: 'network.example.com', version: 'v1alpha1' };
const NS = 'costs';

function assertWithin(actual: number, expected: number, fraction: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= fraction * expected,
    `${what}: ${actual.toFixed(4)} vs ${expected.toFixed(4)} (more than ${fraction * 100}% apart)`,
  );
}

describe('cost collection on the testbed with its real Prometheus', () => {
  let dir = '';
  let testbed: Testbed;
  let prometheusUrl = '';
  let purposes: Record<string, string> = {};
  let front: RestClient;
  let upAtMs = 0;
  /** A second Prometheus on the same targets that refuses to load more than 12 samples at once: an instant look at the 10 nodes passes, one series' 12+ s of samples does not. */
  let strict: TestbedPrometheus;
  let strictStartMs = 0;

  /** Waits until Prometheus holds an exporter sample at or after `ms` (so the window's end is interpolable). */
  const waitForSampleAfter = async (ms: number): Promise<void> => {
    const client = createPrometheusClient({ url: prometheusUrl });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const t = await client.queryNumber(
        'max(timestamp(container_cpu_usage_seconds_total{job="cadvisor"}))',
        Date.now(),
      );
      if (t !== undefined && t * 1000 >= ms) return;
      assert.ok(Date.now() < deadline, `no exporter sample after ${new Date(ms).toISOString()}`);
      await sleep(200);
    }
  };

  const costs = (fromMs: number, toMs: number, ops?: number): Promise<CostTable> =>
    collectCosts({ prometheusUrl, fromMs, toMs, ops, nodePurposes: purposes, interfaceFilter: 'lo' });

  /** Same-length tables for [from, to] and the idle stretch just before it. */
  const withBaseline = async (
    fromMs: number,
    toMs: number,
  ): Promise<{ load: CostTable; idle: CostTable }> => {
    await waitForSampleAfter(toMs + 1000);
    const length = toMs - fromMs;
    const [load, idle] = await Promise.all([costs(fromMs, toMs), costs(fromMs - length, fromMs)]);
    return { load, idle };
  };

  /** Growth of a node's total over the baseline: CPU-seconds or bytes. */
  const extra = (
    t: { load: CostTable; idle: CostTable },
    node: string,
    pick: (f: CostTable['nodes'][number]['figures']) => number | null,
    perSecond: boolean,
  ): number => {
    const seconds = (t.load.window.toMs - t.load.window.fromMs) / 1000;
    const of = (table: CostTable): number => {
      const n = table.nodes.find((x) => x.node === node);
      const v = n === undefined ? null : pick(n.figures);
      assert.ok(v !== null, `${node} has the figure: ${JSON.stringify(n)}`);
      return perSecond ? v * seconds : v;
    };
    return of(t.load) - of(t.idle);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-costs-'));
    testbed = await Testbed.up({ dir, config: { nca: 4, fabricDelay: '1ms' } });
    assert.ok(testbed.prometheusUrl !== undefined);
    prometheusUrl = testbed.prometheusUrl;
    purposes = await nodePurposesFromKube(testbed.kubeconfigPath);
    front = new RestClient({ server: testbed.frontUrls[0] ?? '', localAddress: nodeAddress('base', 0) });
    await front.create({ group: '', version: 'v1', resource: 'namespaces' }, { metadata: { name: NS } });
    upAtMs = Date.now();
    const status = testbed.status();
    strictStartMs = Date.now();
    strict = await startTestbedPrometheus({
      dir: join(dir, 'strict-prometheus'),
      host: nodeAddress('data', 0),
      targets: testbedTargets({
        processes: status.processes,
        exporterMetrics: status.exporter?.metrics,
        driverMetrics: [],
      }),
      extraArgs: ['--query.max-samples=12'],
    });
  });

  after(async () => {
    await strict.stop();
    await front.close();
    await testbed.down();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows Prometheus in the testbed status and scrapes every kind of target', async () => {
    const status = testbed.status();
    assert.equal(status.prometheus?.url, prometheusUrl);
    assert.ok(prometheusUrl.startsWith(`http://${nodeAddress('data', 0)}:`));
    const wanted = ['cadvisor', 'netcd', 'ketcd', 'napi', 'kapi', 'kctrl', 'nctrl', 'comp'];
    // Targets written at the end of up() reach the scrape loop with service discovery's next
    // update (every 5 s), and their first scrape follows.
    const deadline = Date.now() + 20_000;
    let up = new Set<string | undefined>();
    let listed: { labels: Record<string, string>; health: string }[] = [];
    while (wanted.some((j) => !up.has(j)) && Date.now() < deadline) {
      await sleep(250);
      const res = await fetch(`${prometheusUrl}/api/v1/targets`);
      const body = (await res.json()) as { data: { activeTargets: typeof listed } };
      listed = body.data.activeTargets;
      up = new Set(listed.filter((t) => t.health === 'up').map((t) => t.labels.job));
    }
    for (const job of wanted)
      assert.ok(up.has(job), `job ${job} is scraped and up: ${JSON.stringify([...up])}`);
    assert.ok(
      listed.some((t) => t.labels.job === 'driver'),
      'the driver target is listed',
    );
    const napi = listed.find((t) => t.labels.job === 'napi');
    assert.deepEqual([napi?.labels.node, napi?.labels.kos_role_napi], ['napi0', 'true']);
    assert.equal(purposes.comp3, 'comp');
    assert.equal(purposes.data0, 'data');
  });

  it('adds and removes the driver target at run time, without restarting Prometheus', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('kos_test_driver_probe 1\n');
    });
    await new Promise<void>((resolve) => server.listen(0, nodeAddress('base', 0), resolve));
    const { port } = server.address() as AddressInfo;
    const url = `http://${nodeAddress('base', 0)}:${port}/metrics`;
    const pid = testbed.status().prometheus?.pid;
    const driverTargets = async (): Promise<{ scrapeUrl: string; health: string }[]> => {
      const res = await fetch(`${prometheusUrl}/api/v1/targets`);
      const body = (await res.json()) as {
        data: { activeTargets: { labels: Record<string, string>; scrapeUrl: string; health: string }[] };
      };
      return body.data.activeTargets.filter((t) => t.labels.job === 'driver');
    };
    const until = async (ok: (ts: { scrapeUrl: string; health: string }[]) => boolean): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!ok(await driverTargets())) {
        assert.ok(Date.now() < deadline, JSON.stringify(await driverTargets()));
        await sleep(250);
      }
    };
    try {
      await testbed.setDriverTargets([url]);
      await until((ts) => ts.length === 1 && ts[0]?.scrapeUrl === url && ts[0].health === 'up');
      await testbed.setDriverTargets([]);
      await until((ts) => ts.length === 0);
      assert.equal(testbed.status().prometheus?.pid, pid);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('charges a known CPU burn to the node that burnt it (within 5%), and to no neighbour', async (t) => {
    const node = 'nctrl0';
    const burn = await burnInNode(testbed, node, 2000);
    // The burn with 2.5 s each side (so a late scrape cannot split it across the window's edge),
    // against the idle stretch of the same length after it.
    const fromMs = burn.startMs - 2500;
    const toMs = burn.endMs + 2500;
    const length = toMs - fromMs;
    await waitForSampleAfter(toMs + length + 1000);
    const [load, idle] = await Promise.all([costs(fromMs, toMs), costs(toMs, toMs + length)]);
    const tables = { load, idle };
    // The kernel charged the node burn.cpuSeconds during the burn (its background work
    // included); the margins add the node's idle rate, measured right after.
    const cores = (table: CostTable): number =>
      table.nodes.find((n) => n.node === node)?.figures.cpuCores ?? NaN;
    const burnWallS = (burn.endMs - burn.startMs) / 1000;
    const expected = burn.cpuSeconds + cores(idle) * (length / 1000 - burnWallS);
    const collected = cores(load) * (length / 1000);
    t.diagnostic(
      `burnt ${burn.cpuSeconds.toFixed(3)} CPU-s in ${burnWallS.toFixed(2)} s; node idles at ${cores(idle).toFixed(4)} cores; ` +
        `expected ${expected.toFixed(3)} CPU-s over the ${(length / 1000).toFixed(2)} s window, collected ${collected.toFixed(3)}`,
    );
    assert.ok(burn.cpuSeconds >= 2, `the burn got ${burn.cpuSeconds} CPU-s`);
    assertWithin(collected, expected, 0.05, `${node} CPU`);
    for (const other of tables.load.nodes.filter((n) => n.node !== node && n.purpose !== 'comp')) {
      const theirs = extra(tables, other.node, (f) => f.cpuCores, true);
      // Picking the burn up would be ~100% of it; idle nodes vary by a few hundredths of a second.
      assert.ok(
        Math.abs(theirs) < 0.15 * burn.cpuSeconds,
        `${other.node} picked up ${theirs.toFixed(3)} CPU-s`,
      );
    }
  });

  it('counts the bytes sent from one node to another within 5%', async (t) => {
    // Large bodies through the kube front (kapi0) to the network-apiserver (napi0), which reads
    // each one whole and refuses it with a small Status: kapi0 in and out, napi0 in ~ what was sent.
    const windowMs = 6000;
    await sleep(windowMs + 500);
    const fromMs = Date.now();
    await sleep(1000);
    const { sentBytes: sent, statuses } = await postPaddedBodies(
      frontAttachmentsUrl(testbed, NS),
      512 * 1024,
      8,
    );
    const toMs = fromMs + windowMs;
    assert.ok(Date.now() < toMs - 500, 'the sends fit in the window');
    await sleep(toMs - Date.now());
    assert.ok(
      statuses.every((s) => s === 400),
      `napi refused each body: ${statuses.join(',')}`,
    );
    const tables = await withBaseline(fromMs, toMs);
    const kapiIn = extra(tables, 'kapi0', (f) => f.netInBytesPerSecond, true);
    const kapiOut = extra(tables, 'kapi0', (f) => f.netOutBytesPerSecond, true);
    const napiIn = extra(tables, 'napi0', (f) => f.netInBytesPerSecond, true);
    const napiOut = extra(tables, 'napi0', (f) => f.netOutBytesPerSecond, true);
    t.diagnostic(
      `sent ${sent} B; kapi0 in ${kapiIn.toFixed(0)} out ${kapiOut.toFixed(0)}; napi0 in ${napiIn.toFixed(0)} out ${napiOut.toFixed(0)}`,
    );
    assertWithin(kapiIn, sent, 0.05, 'kapi0 bytes in (from the client)');
    assertWithin(kapiOut, sent, 0.05, 'kapi0 bytes out (to napi0)');
    assertWithin(napiIn, sent, 0.05, 'napi0 bytes in (from kapi0)');
    assert.ok(napiOut < 0.05 * sent, `napi0 sent back little: ${napiOut}`);
    // The byte totals and rates agree with each other.
    const k = tables.load.nodes.find((n) => n.node === 'kapi0');
    const seconds = windowMs / 1000;
    assert.ok(
      Math.abs((k?.figures.netInBytes ?? NaN) - (k?.figures.netInBytesPerSecond ?? NaN) * seconds) < 1e-6,
    );
  });

  it('gives a complete cost table for a short create/delete load, every costed purpose present', async (t) => {
    const subnets = { ...KOS, resource: 'subnets', namespace: NS };
    const attachments = { ...KOS, resource: 'networkattachments', namespace: NS };
    await front.create(subnets, {
      apiVersion: `${KOS.group}/${KOS.version}`,
      kind: 'Subnet',
      metadata: { name: 's1' },
      spec: { ipv4: '10.20.0.0/20', vni: 42 },
    });
    const alive: string[] = [];
    let ops = 0;
    const fromMs = Date.now();
    const toMs = fromMs + 6000;
    for (let i = 0; Date.now() < toMs - 100; i++) {
      const name = `a${i}`;
      await front.create(attachments, {
        apiVersion: `${KOS.group}/${KOS.version}`,
        kind: 'NetworkAttachment',
        metadata: { name },
        spec: { node: `comp${i % 4}`, subnet: 's1' },
      });
      ops++;
      alive.push(name);
      if (alive.length > 10) {
        await front.delete({ ...attachments, name: alive.shift() ?? '' });
        ops++;
      }
      await sleep(20);
    }
    await sleep(Math.max(0, toMs - Date.now()));
    await waitForSampleAfter(toMs + 1000);
    const table = await costs(fromMs, toMs, ops);
    costTableSchema.parse(table);
    for (const line of formatCostTable(table).split('\n')) t.diagnostic(line);
    assert.equal(table.partial, false, table.warnings.join('; '));
    assert.deepEqual(table.noData, []);
    assert.deepEqual(
      table.purposes.map((p) => p.purpose),
      [...COSTED_PURPOSES],
    );
    for (const p of table.purposes) {
      assert.equal(p.nodesWithData, p.nodes, p.purpose);
      for (const [k, v] of Object.entries(p.mean)) assert.ok(v !== null, `${p.purpose} mean ${k}`);
      assert.ok((p.mean.cpuCores ?? 0) > 0, `${p.purpose} used CPU`);
      assert.ok((p.mean.workingSetAvgBytes ?? 0) > 1e6, `${p.purpose} has a working set`);
      assert.ok(p.perOp !== null && (p.perOp.cpuSecondsPerOp ?? 0) > 0, `${p.purpose} per op`);
    }
    assert.equal(table.purposes.find((p) => p.purpose === 'comp')?.nodes, 4);
    for (const busy of ['napi', 'kapi']) {
      assert.ok(
        (table.purposes.find((p) => p.purpose === busy)?.mean.netInBytes ?? 0) > 10_000,
        `${busy} traffic`,
      );
    }
    assert.ok(
      !table.nodes.some((n) => n.node === 'data0' || n.node === 'base0'),
      'data and base are not costed',
    );
  });

  it('kos-test costs prints the table and exits 0 for a covered window', async () => {
    const toMs = Date.now() - 1500;
    const r = await runCosts([
      '--prometheus',
      prometheusUrl,
      '--kubeconfig',
      testbed.kubeconfigPath,
      '--from',
      String(toMs - 3000),
      '--to',
      new Date(toMs).toISOString(),
      '--interface',
      'lo',
      '--ops',
      '30',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^costs over .* from http:\/\/127\.20\.0\.1:\d+; 30 ops/);
    for (const p of COSTED_PURPOSES) assert.match(r.stdout, new RegExp(`^${p}\\s`, 'm'));
    assert.doesNotMatch(r.stdout, /PARTIAL/);
  });

  it('kos-test costs marks a window reaching before Prometheus started as partial, exit 3', async () => {
    const r = await runCosts([
      '--prometheus',
      prometheusUrl,
      '--kubeconfig',
      testbed.kubeconfigPath,
      '--from',
      String(upAtMs - 120_000),
      '--to',
      String(upAtMs),
      '--interface',
      'lo',
      '--json',
    ]);
    assert.equal(r.code, 3, r.stderr);
    const table = costTableSchema.parse(JSON.parse(r.stdout));
    assert.equal(table.partial, true);
    assert.ok(
      table.warnings.some((w) => /napi0: cpu: samples cover \d+\.\d% of the window/.test(w)),
      table.warnings.join('; '),
    );
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^kos-test: the cost table is partial/);
  });

  it('kos-test costs says so in one line, exit 1, for an empty window, a wrong URL and a Prometheus that is down', async () => {
    const closedPort = await findFreePort('127.0.0.1');
    const cases: { args: string[]; want: RegExp }[] = [
      {
        args: [
          '--prometheus',
          prometheusUrl,
          '--from',
          '2020-01-01T00:00:00Z',
          '--to',
          '2020-01-01T00:10:00Z',
        ],
        want: /^kos-test: no cost samples in the window: 2020-01-01T00:00:00.000Z \.\. 2020-01-01T00:10:00.000Z/,
      },
      {
        args: [
          '--prometheus',
          testbed.status().exporter?.metrics.replace(/\/metrics$/, '') ?? '',
          '--from',
          'now-1m',
        ],
        want: /^kos-test: not a Prometheus HTTP API: http:\/\/127\.20\.0\.1:\d+\/api\/v1\/status\/buildinfo answered HTTP 404/,
      },
      {
        args: ['--prometheus', `http://127.0.0.1:${closedPort}`, '--from', 'now-1m'],
        want: /^kos-test: Prometheus does not answer: http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
      },
      {
        args: ['--prometheus', 'not a url', '--from', 'now-1m'],
        want: /^kos-test: bad Prometheus URL: not a url/,
      },
      {
        args: ['--prometheus', prometheusUrl, '--from', 'now', '--to', 'now-1m'],
        want: /^kos-test: bad window/,
      },
    ];
    for (const c of cases) {
      const r = await runCosts(c.args);
      assert.equal(r.code, 1, `${c.args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, c.want);
    }
  });

  it('reports a query Prometheus refuses, then a Prometheus that went down, as one-line errors', async () => {
    // 20 s of samples: each series holds more than the 12 allowed (its own readiness check would not pass).
    await sleep(Math.max(0, strictStartMs + 20_000 - Date.now()));
    const attempt = (): Promise<unknown> =>
      collectCosts({ prometheusUrl: strict.url, fromMs: Date.now() - 3000, toMs: Date.now() - 1000 });
    await assert.rejects(attempt(), (e: unknown) => {
      assert.ok(e instanceof KosTestError);
      assert.match(
        e.message,
        /^every cost query failed: Prometheus query failed: sum\(count_over_time\(container_cpu_usage_seconds_total\{id="\/"\}\[\d+s\]\)\): execution: query processing would load too many samples into memory/,
      );
      return true;
    });
    const all = await runCosts(['--prometheus', strict.url, '--from', 'now-3s', '--interface', 'lo']);
    assert.equal(all.code, 1);
    assert.match(
      all.stderr,
      /^kos-test: every cost query failed: Prometheus query failed: .*too many samples/,
    );
    // With no network series on eth0-3 those queries succeed (empty), and the CPU one's failure is named.
    const some = await runCosts(['--prometheus', strict.url, '--from', 'now-3s']);
    assert.equal(some.code, 1);
    assert.match(
      some.stderr,
      /^kos-test: no cost data: a query failed: Prometheus query failed: .*too many samples.* \(and 1 more\)$/m,
    );
    await strict.stop();
    await assert.rejects(
      attempt(),
      /^KosTestError: Prometheus does not answer: http:\/\/127\.20\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
  });
});
