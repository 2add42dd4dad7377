import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import {
  API_VERSION,
  type IPLock,
  type NetworkAttachment,
  type Subnet,
} from '../../../../src/api/kos-types.js';
import { RestClient } from '../../../../src/kube/rest-client.js';
import { auditIpam } from '../../../../src/testbed/nctrl/ipam-audit.js';
import { DuplicateAddressMonitor } from '../../../../src/testbed/nctrl/duplicate-address-monitor.js';
import { kosRef } from '../../../../src/testbed/nctrl/kos-refs.js';
import { startNctrl, type NctrlNode } from '../../../../src/testbed/nctrl/nctrl-node.js';
import { nodeAddress } from '../../../../src/testbed/node-addresses.js';
import { seededRandom } from '../../../../src/util/prng.js';
import { withStack } from '../../../support/stack.js';

type Stack = Awaited<ReturnType<typeof withStack>>;

const NS = 'load';
const VNIS = 20;
const ATTACHMENTS = 2000;
const DELETE_FRACTION = 0.15;
const CONCURRENCY = 24;
const WORKERS = 8;
/** A doomed attachment is deleted at a random moment this long after its create. */
const DELETE_WITHIN_MS = 8000;

/** Seeded, so a failing run can be replayed. */
const prng = seededRandom;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every object stored under a resource's etcd prefix, decoded as the apiserver stored it. */
async function readEtcd<T>(etcd: Etcd3, resource: string): Promise<T[]> {
  const kvs = await etcd.getAll().prefix(`/registry/network.example.com/${resource}/${NS}/`).strings();
  return Object.values(kvs).map((v) => JSON.parse(v) as T);
}

describe('nctrl IPAM under load, with random deletes and a restart midway', () => {
  let stack: Stack;
  let client: RestClient;
  let nctrl: NctrlNode | undefined;
  let etcd: Etcd3;

  const start = (i: number): Promise<NctrlNode> =>
    startNctrl({
      name: `nctrl${i}`,
      host: nodeAddress('nctrl', i),
      apiServers: stack.napis.map((n) => n.url),
      // Twice the default: more attachments race inside one controller, and it keeps up.
      workers: WORKERS,
      log: () => undefined,
    });

  before(async () => {
    stack = await withStack();
    client = new RestClient({ server: stack.napis[0]?.url ?? '', connections: 8 });
    etcd = new Etcd3({ hosts: stack.etcd.clientUrls });
  });
  after(async () => {
    await nctrl?.stop();
    await client.close();
    etcd.close();
    await stack.cleanup();
  });

  it(`gives ${ATTACHMENTS} attachments in ${VNIS} VNIs unique addresses, each backed by its own lock`, async (t) => {
    const random = prng(20_261_123);
    nctrl = await start(0);
    for (let i = 0; i < VNIS; i++) {
      await client.create<Subnet>(kosRef('subnets', NS), {
        apiVersion: API_VERSION,
        kind: 'Subnet',
        metadata: { name: `s${i}` },
        spec: { ipv4: `10.100.${i * 8}.0/21`, vni: 300 + i },
      });
    }
    await waitFor(
      'subnets validated',
      async () => {
        const list = await client.list<Subnet>(kosRef('subnets', NS));
        return list.items.every((s) => s.status?.validated === true) ? true : undefined;
      },
      15_000,
    );
    const watcher = new DuplicateAddressMonitor(client, NS);
    await watcher.start();

    const t0 = performance.now();
    const deleted = new Set<string>();
    const pendingDeletes: Promise<void>[] = [];
    let next = 0;
    let restarted: Promise<void> | undefined;
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= ATTACHMENTS) return;
        if (i === ATTACHMENTS / 2) {
          // Restart IPAM in the middle, while creates and deletes go on.
          restarted = (async () => {
            await nctrl?.stop();
            nctrl = await start(1);
          })();
        }
        const name = `a${i}`;
        await client.create(kosRef('networkattachments', NS), {
          apiVersion: API_VERSION,
          kind: 'NetworkAttachment',
          metadata: { name },
          spec: { node: `comp${i % 50}`, subnet: `s${Math.floor(random() * VNIS)}` },
        });
        if (random() < DELETE_FRACTION) {
          deleted.add(name);
          const delayMs = Math.floor(random() * DELETE_WITHIN_MS);
          pendingDeletes.push(
            new Promise((r) => setTimeout(r, delayMs)).then(async () => {
              await client.delete(kosRef('networkattachments', NS, name));
            }),
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const createdMs = performance.now() - t0;
    await Promise.all(pendingDeletes);
    await restarted;
    const survivors = ATTACHMENTS - deleted.size;

    // Progress from the watcher's cache; a lock list only once every survivor is addressed.
    const settled = await waitFor(
      'every survivor addressed and every other lock released',
      async () => {
        const store = [...watcher.attachments.values()];
        if (store.length !== survivors || store.some((a) => a.status?.ipv4 === undefined)) return undefined;
        const locks = await client.listAll<IPLock>(kosRef('iplocks', NS));
        return locks.items.length === survivors ? performance.now() - t0 : undefined;
      },
      45_000,
    );
    await watcher.stop();

    // The hard evidence: what etcd itself holds.
    const [atts, locks, subnets] = await Promise.all([
      readEtcd<NetworkAttachment>(etcd, 'networkattachments'),
      readEtcd<IPLock>(etcd, 'iplocks'),
      readEtcd<Subnet>(etcd, 'subnets'),
    ]);
    const report = auditIpam(atts, locks, subnets);
    assert.equal(report.attachments, survivors);
    assert.deepEqual(report.violations, []);
    assert.deepEqual(report.unaddressed, []);
    assert.equal(report.addressed, survivors);
    assert.equal(report.locks, survivors);
    assert.deepEqual(watcher.duplicates, [], 'no two live attachments ever shared an address');

    const metrics = await (await fetch(nctrl.endpoints.metrics)).text();
    const sample = (name: string, labels = ''): number =>
      Number(new RegExp(`^${name}(?:\\{[^}]*${labels}[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    t.diagnostic(
      `${WORKERS} workers: ${survivors} addressed (${deleted.size} deleted) in ${(settled / 1000).toFixed(1)} s ` +
        `(${(survivors / (settled / 1000)).toFixed(0)} addresses/s; creates took ${(createdMs / 1000).toFixed(1)} s); ` +
        `after the restart: contention ${sample('kos_ipam_address_contention')}, ` +
        `${sample('kos_ipam_ip_lock_operations_total', 'op="delete",result="ok"')} locks released, ` +
        `${sample('kos_ipam_last_client_write_to_address_latency_seconds_count')} addresses written, mean ` +
        `${(
          (sample('kos_ipam_last_client_write_to_address_latency_seconds_sum') /
            sample('kos_ipam_last_client_write_to_address_latency_seconds_count')) *
          1000
        ).toFixed(0)} ms from create to address`,
    );
  });
});
