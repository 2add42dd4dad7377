import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { parseMicroTime } from '../../../src/api/micro-time.js';
import type { NetworkAttachment } from '../../../src/api/kos-types.js';
import { readProcessTree } from '../../../src/testbed/exporter/process-stats.js';
import { parseSamples } from '../../../src/testbed/exporter/prom-text.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';

const KOS = { group: 'network.example.com', version: 'v1alpha1' };
const ns = 'e2e';

function stampMs(obj: NetworkAttachment, section: string): number {
  const t = obj.extendedMetadata?.writes?.find((w) => w.section === section)?.serverTime;
  const micros = t === undefined ? undefined : parseMicroTime(t);
  assert.ok(micros !== undefined, `no ${section} write stamp`);
  return micros / 1000;
}

describe('the whole testbed, end to end through the kube front with @kubernetes/client-node', () => {
  let dir: string;
  let testbed: Testbed;
  let kos: CustomObjectsApi;
  let core: CoreV1Api;
  let serial = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-e2e-'));
    testbed = await Testbed.up({ dir, config: { nca: 4, fabricDelay: '5ms' } });
    const kc = new KubeConfig();
    kc.loadFromFile(testbed.kubeconfigPath);
    kos = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    // The official types are classes; a plain object is what goes on the wire.
    const namespace: object = { metadata: { name: ns } };
    await core.createNamespace({ body: namespace });
    await kos.createNamespacedCustomObject({
      ...KOS,
      namespace: ns,
      plural: 'subnets',
      body: {
        apiVersion: 'network.example.com/v1alpha1',
        kind: 'Subnet',
        metadata: { name: 's1' },
        spec: { ipv4: '10.9.0.0/22', vni: 77 },
      },
    });
  });
  after(async () => {
    await testbed.down();
    await rm(dir, { recursive: true, force: true });
  });

  /** Creates an attachment on comp3 and polls until its interface is recorded. */
  async function fulfil(): Promise<NetworkAttachment> {
    const name = `a${serial++}`;
    await kos.createNamespacedCustomObject({
      ...KOS,
      namespace: ns,
      plural: 'networkattachments',
      body: {
        apiVersion: 'network.example.com/v1alpha1',
        kind: 'NetworkAttachment',
        metadata: { name },
        spec: { node: 'comp3', subnet: 's1' },
      },
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const obj = (await kos.getNamespacedCustomObject({
        ...KOS,
        namespace: ns,
        plural: 'networkattachments',
        name,
      })) as NetworkAttachment;
      if (obj.status?.ifcName !== undefined) return obj;
      assert.ok(Date.now() < deadline, `${name} not fulfilled: ${JSON.stringify(obj.status)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('lists every testbed node with its role label and InternalIP', async () => {
    const nodes = await core.listNode({ labelSelector: 'kos-role/comp=true' });
    assert.deepEqual(nodes.items.map((n) => n.metadata?.name).sort(), ['comp0', 'comp1', 'comp2', 'comp3']);
    const comp3 = nodes.items.find((n) => n.metadata?.name === 'comp3');
    assert.deepEqual(comp3?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address, '127.10.0.4');
  });

  it('addresses an attachment on comp3, then the agent implements it with KOS’s MAC, name and hostIP', async () => {
    const a = await fulfil();
    const s = a.status ?? {};
    assert.equal(s.addressVNI, 77);
    assert.match(s.ipv4 ?? '', /^10\.9\.[0-3]\.\d+$/);
    assert.equal(s.hostIP, '127.10.0.4');
    const [, b1, b2, b3] = (s.ipv4 ?? '').split('.').map(Number);
    const hex = (n: number | undefined) => (n ?? 0).toString(16).padStart(2, '0');
    // KOS's MAC for VNI 77 and 10.9.x.y: first byte (77>>13 & 0xf8) | ((10 & 2) << 1) | 2 = 0x06.
    const mac = ['06', hex(b1), hex(b2), hex(b3), '00', hex(77)].join(':');
    assert.equal(s.macAddress, mac);
    assert.equal(s.ifcName, `kos${mac.replaceAll(':', '')}`);
    const spec = stampMs(a, 'spec');
    const address = stampMs(a, 'status.address');
    const impl = stampMs(a, 'status.impl');
    assert.ok(spec < address && address < impl, `stamps out of order: ${spec} ${address} ${impl}`);
    assert.ok(impl - spec >= 5, `fulfilled ${impl - spec} ms after spec, less than the fabric delay`);
  });

  it('raising the fabric delay by D raises fulfilment latency by D', async (t) => {
    const D = 100;
    const sample = async (): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < 15; i++) {
        const a = await fulfil();
        out.push(stampMs(a, 'status.impl') - stampMs(a, 'status.address'));
      }
      return out.sort((x, y) => x - y);
    };
    const base = await sample();
    await testbed.scale({ fabricDelay: `${5 + D}ms` });
    const raised = await sample();
    // Medians of the agent's part (address recorded -> interface recorded), which holds the fabric.
    const m0 = base[7] ?? 0;
    const m1 = raised[7] ?? 0;
    const tolerance = Math.max(2, 0.05 * m1);
    t.diagnostic(`fabric +${D} ms: agent part median ${m0.toFixed(1)} -> ${m1.toFixed(1)} ms`);
    assert.ok(
      Math.abs(m1 - m0 - D) <= tolerance,
      `medians ${m0.toFixed(1)} -> ${m1.toFixed(1)} ms; want +${D} +-${tolerance.toFixed(1)}`,
    );
  });

  it('exports every node’s costs in cAdvisor’s names; a node’s CPU agrees with the kernel’s within 5%', async () => {
    const status = testbed.status();
    const url = status.exporter?.metrics;
    assert.ok(url !== undefined, 'no cost exporter');
    const napi0 = status.processes.find((p) => p.name === 'napi0');
    assert.ok(napi0 !== undefined);
    const [text, kernel] = await Promise.all([fetch(url).then((r) => r.text()), readProcessTree(napi0.pid)]);
    const samples = parseSamples(text, (n) => n.startsWith('container_'));
    const value = (name: string, node: string) =>
      samples.find((x) => x.name === name && x.labels.node === node && x.labels.id === '/')?.value;
    const cpu = value('container_cpu_usage_seconds_total', 'napi0');
    assert.ok(cpu !== undefined && kernel !== undefined);
    // Both readings are taken within one scrape's time; allow two clock ticks besides the 5%.
    assert.ok(
      Math.abs(cpu - kernel.cpuSeconds) <= 0.05 * kernel.cpuSeconds + 0.02,
      `exporter ${cpu} s, /proc ${kernel.cpuSeconds} s`,
    );
    for (const node of ['netcd0', 'ketcd0', 'napi0', 'kapi0', 'nctrl0', 'kctrl0', 'comp3']) {
      assert.ok(
        (value('container_network_receive_bytes_total', node) ?? 0) > 0,
        `${node}: no bytes received`,
      );
      assert.ok((value('container_network_transmit_bytes_total', node) ?? 0) > 0, `${node}: no bytes sent`);
      assert.ok((value('container_memory_working_set_bytes', node) ?? 0) > 0, `${node}: no working set`);
    }
    const comp3 = samples.find(
      (x) => x.name === 'container_cpu_usage_seconds_total' && x.labels.node === 'comp3',
    );
    assert.equal(comp3?.labels.hollow, 'true');
  });

  it('deleting the namespace deletes its KOS objects (kctrl), then the namespace', async () => {
    await core.deleteNamespace({ name: ns });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const left = await core.listNamespace({ fieldSelector: `metadata.name=${ns}` });
      if (left.items.length === 0) break;
      assert.ok(Date.now() < deadline, 'namespace still there');
      await new Promise((r) => setTimeout(r, 100));
    }
    const kosLeft = (await kos.listClusterCustomObject({ ...KOS, plural: 'networkattachments' })) as {
      items: unknown[];
    };
    assert.equal(kosLeft.items.length, 0);
    const locks = (await kos.listClusterCustomObject({ ...KOS, plural: 'iplocks' })) as { items: unknown[] };
    assert.equal(locks.items.length, 0);
  });
});
