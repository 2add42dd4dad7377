import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  API_VERSION,
  type IPLock,
  type NetworkAttachment,
  type Subnet,
} from '../../../../src/api/kos-types.js';
import { RestClient } from '../../../../src/kube/rest-client.js';
import { DuplicateAddressMonitor } from '../../../../src/testbed/nctrl/duplicate-address-monitor.js';
import { auditIpam } from '../../../../src/testbed/nctrl/ipam-audit.js';
import { kosRef } from '../../../../src/testbed/nctrl/kos-refs.js';
import { startNctrl, type NctrlNode } from '../../../../src/testbed/nctrl/nctrl-node.js';
import { nodeAddress } from '../../../../src/testbed/node-addresses.js';
import { withStack } from '../../../support/stack.js';

type Stack = Awaited<ReturnType<typeof withStack>>;

const NS = 'race';
const PER_SUBNET = 150;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * KOS runs one controller manager, but nothing stops two from overlapping (a slow shutdown, a
 * rolling update). Two IPAM controllers on separate apiservers race for the same addresses of
 * the same attachments here: the IPLocks must still keep every address unique.
 */
describe('two nctrl nodes racing for the same attachments', () => {
  let stack: Stack;
  let client: RestClient;
  const nodes: NctrlNode[] = [];

  before(async () => {
    stack = await withStack({ napiCount: 2 });
    client = new RestClient({ server: stack.napis[0]?.url ?? '', connections: 8 });
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await client.close();
    await stack.cleanup();
  });

  it('has a duplicate monitor that notices two statuses naming one address', async () => {
    const watcher = new DuplicateAddressMonitor(client, 'monitor');
    await watcher.start();
    for (const name of ['x', 'y']) {
      const a = await client.create<NetworkAttachment>(kosRef('networkattachments', 'monitor'), {
        apiVersion: API_VERSION,
        kind: 'NetworkAttachment',
        metadata: { name },
        spec: { node: 'comp0', subnet: 'none' },
      });
      await client.update(kosRef('networkattachments', 'monitor', name, 'status'), {
        ...a,
        status: { ipv4: '10.9.9.9', addressVNI: 9, lockUID: 'fake' },
      });
    }
    await waitFor(
      'a duplicate',
      () => Promise.resolve(watcher.duplicates.length > 0 ? true : undefined),
      5000,
    );
    await watcher.stop();
    assert.match(watcher.duplicates[0] ?? '', /^monitor\/9\/10\.9\.9\.9 held by monitor\/x and monitor\/y/);
  });

  it('never gives one address to two attachments, and marks the contention it meets', async (t) => {
    for (let i = 0; i < 2; i++) {
      await client.create(kosRef('subnets', NS), {
        apiVersion: API_VERSION,
        kind: 'Subnet',
        metadata: { name: `s${i}` },
        spec: { ipv4: `10.77.${i}.0/24`, vni: 700 + i },
      });
    }
    const start = async (i: number): Promise<void> => {
      const napi = stack.napis[i]?.url ?? '';
      nodes.push(
        await startNctrl({
          name: `nctrl${i}`,
          host: nodeAddress('nctrl', i),
          apiServers: [napi],
          log: () => undefined,
        }),
      );
    };
    const watcher = new DuplicateAddressMonitor(client, NS);
    await watcher.start();
    await start(0);
    const names = Array.from({ length: 2 * PER_SUBNET }, (_, i) => `a${i}`);
    const t0 = performance.now();
    for (let i = 0; i < names.length; i += 20) {
      await Promise.all(
        names.slice(i, i + 20).map((name, j) =>
          client.create(kosRef('networkattachments', NS), {
            apiVersion: API_VERSION,
            kind: 'NetworkAttachment',
            metadata: { name },
            spec: { node: 'comp0', subnet: `s${(i + j) % 2}` },
          }),
        ),
      );
    }
    // The second one joins mid-flight: it works in its list's (name) order, the first in
    // creation order, so they pick the same free addresses for different attachments.
    await start(1);
    const report = await waitFor(
      'all addressed, one lock each',
      async () => {
        const [atts, locks, subnets] = await Promise.all([
          client.listAll<NetworkAttachment>(kosRef('networkattachments', NS)),
          client.listAll<IPLock>(kosRef('iplocks', NS)),
          client.listAll<Subnet>(kosRef('subnets', NS)),
        ]);
        const r = auditIpam(atts.items, locks.items, subnets.items);
        return r.addressed === names.length && r.locks === names.length ? r : undefined;
      },
      40_000,
    );
    const seconds = (performance.now() - t0) / 1000;
    await watcher.stop();
    assert.deepEqual(report.violations, []);
    assert.deepEqual(watcher.duplicates, [], 'no two live attachments ever shared an address');
    let contention = 0;
    for (const node of nodes) {
      const text = await (await fetch(node.endpoints.metrics)).text();
      contention += Number(/^kos_ipam_address_contention(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? 0);
    }
    const marked = (await client.listAll<NetworkAttachment>(kosRef('networkattachments', NS))).items.filter(
      (a) => a.status?.addressContention === true,
    ).length;
    t.diagnostic(
      `${names.length} addressed in ${seconds.toFixed(1)} s; ${contention} colliding picks, ${marked} marked`,
    );
    assert.ok(contention > 0, 'the two controllers did collide');
    assert.ok(marked > 0, 'some attachment records its contention');
  });
});
