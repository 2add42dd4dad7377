import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { startEtcdCluster, type EtcdCluster } from '../../../../src/testbed/etcd/etcd-cluster.js';
import {
  createCgroupAccounting,
  type ResourceAccounting,
} from '../../../../src/testbed/exporter/cgroup-accounting.js';
import { startCostExporter, type CostExporter } from '../../../../src/testbed/exporter/cost-exporter.js';
import { parseSamples } from '../../../../src/testbed/exporter/prom-text.js';
import { installSocketAccounting } from '../../../../src/testbed/exporter/socket-accounting.js';
import { nodeAddress } from '../../../../src/testbed/node-addresses.js';
import type { NodeReady } from '../../../../src/testbed/node-ready.js';
import { writeFileAtomic } from '../../../../src/util/atomic-write.js';

interface EtcdFigures {
  cpu: number;
  rx: number;
  tx: number;
}

function figures(text: string, node: string): EtcdFigures {
  const value = (name: string): number => {
    const s = parseSamples(text, (n) => n === name).find((x) => x.labels.node === node);
    assert.ok(s, `no ${name} for ${node} in\n${text}`);
    assert.equal(s.labels.id, '/');
    assert.equal(s.labels.purpose, 'netcd');
    return s.value;
  };
  return {
    cpu: value('container_cpu_usage_seconds_total'),
    rx: value('container_network_receive_bytes_total'),
    tx: value('container_network_transmit_bytes_total'),
  };
}

describe('cost exporter on a real etcd member', () => {
  let dir = '';
  let cluster: EtcdCluster;
  let client: Etcd3;
  let accounting: ResourceAccounting;
  let exporter: CostExporter;
  const sockets = installSocketAccounting();

  const scrape = async (): Promise<string> => {
    const res = await fetch(exporter.endpoints.metrics);
    assert.equal(res.status, 200);
    return res.text();
  };
  const putMany = async (count: number, size: number): Promise<void> => {
    for (let i = 0; i < count; i++) await client.put(`/exporter-test/${i}`).value('v'.repeat(size));
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-exporter-etcd-'));
    accounting = await createCgroupAccounting(
      `exporter-etcd-${process.pid}-${randomBytes(3).toString('hex')}`,
    );
    cluster = await startEtcdCluster({
      name: 'netcd',
      members: 1,
      hosts: [nodeAddress('netcd', 0)],
      dataDir: join(dir, 'netcd'),
    });
    const m = cluster.members[0];
    assert.ok(m);
    await accounting.place(m.name, m.pid);
    // The ready file the supervisor writes for an etcd member.
    const ready: NodeReady = {
      name: m.name,
      purpose: 'netcd',
      pid: m.pid,
      nodes: [m.name],
      endpoints: { client: m.clientUrl, metrics: m.metricsUrl },
    };
    await writeFileAtomic(join(dir, 'nodes', m.name, 'ready.json'), `${JSON.stringify(ready)}\n`);
    exporter = await startCostExporter({
      name: 'exporter',
      host: nodeAddress('data', 0),
      testbedDir: dir,
      accounting,
    });
    client = new Etcd3({ hosts: cluster.clientUrls });
  });

  after(async () => {
    client.close();
    await exporter.stop();
    await cluster.stop();
    assert.deepEqual(await accounting.remove(), []);
    await rm(dir, { recursive: true, force: true });
  });

  it('reports etcd’s traffic from its own metrics, growing with more puts', async (t) => {
    await putMany(1, 10);
    const first = figures(await scrape(), 'netcd0');
    assert.ok(first.rx > 0 && first.tx > 0, JSON.stringify(first));
    await putMany(50, 200);
    const second = figures(await scrape(), 'netcd0');
    // The test's etcd client is unbound (127.0.0.1), as the napi's is; nothing else talks meanwhile.
    const clientBefore = sockets.snapshot().get('127.0.0.1') ?? { receivedBytes: 0, sentBytes: 0 };
    await putMany(200, 200);
    const clientAfter = sockets.snapshot().get('127.0.0.1') ?? { receivedBytes: 0, sentBytes: 0 };
    const third = figures(await scrape(), 'netcd0');
    t.diagnostic(
      `etcd rx/tx after 1, 51, 251 puts: ${[first, second, third].map((f) => `${f.rx}/${f.tx}`).join(', ')}`,
    );
    assert.ok(second.rx >= first.rx + 50 * 200, `50 puts of 200 bytes: rx ${first.rx} → ${second.rx}`);
    assert.ok(second.tx > first.tx);
    assert.ok(
      third.rx - second.rx > 3 * (second.rx - first.rx),
      'four times the puts, about four times the bytes',
    );
    assert.ok(third.tx - second.tx > 3 * (second.tx - first.tx));
    assert.ok(third.cpu >= first.cpu && third.cpu > 0);
    // etcd counts gRPC messages; the client's sockets see HTTP/2 frames and headers too.
    const wire = {
      sent: clientAfter.sentBytes - clientBefore.sentBytes,
      received: clientAfter.receivedBytes - clientBefore.receivedBytes,
    };
    t.diagnostic(
      `200 puts: etcd counted rx ${third.rx - second.rx} / tx ${third.tx - second.tx} bytes; ` +
        `the client's TCP payload was ${wire.sent} sent / ${wire.received} received`,
    );
  });
});
