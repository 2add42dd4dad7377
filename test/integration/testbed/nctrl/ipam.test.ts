import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatIPv4, parseCidr, parseIPv4 } from '../../../../src/api/ipv4-cidr.js';
import {
  API_VERSION,
  ipLockName,
  type IPLock,
  type NetworkAttachment,
  type Subnet,
} from '../../../../src/api/kos-types.js';
import { isNotFound } from '../../../../src/kube/kube-api-error.js';
import { RestClient } from '../../../../src/kube/rest-client.js';
import { usableRange } from '../../../../src/testbed/nctrl/address-range.js';
import { auditIpam } from '../../../../src/testbed/nctrl/ipam-audit.js';
import { kosRef } from '../../../../src/testbed/nctrl/kos-refs.js';
import { startNctrl, type NctrlNode } from '../../../../src/testbed/nctrl/nctrl-node.js';
import { nodeAddress } from '../../../../src/testbed/node-addresses.js';
import { withStack } from '../../../support/stack.js';

type Stack = Awaited<ReturnType<typeof withStack>>;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('nctrl IPAM against a real network-apiserver and etcd', () => {
  let stack: Stack;
  let client: RestClient;
  let nctrl: NctrlNode;
  const logs: string[] = [];

  const subnet = async (ns: string, name: string, ipv4: string, vni: number): Promise<Subnet> =>
    client.create<Subnet>(kosRef('subnets', ns), {
      apiVersion: API_VERSION,
      kind: 'Subnet',
      metadata: { name },
      spec: { ipv4, vni },
    });
  const attach = async (ns: string, name: string, subnetName: string): Promise<NetworkAttachment> =>
    client.create<NetworkAttachment>(kosRef('networkattachments', ns), {
      apiVersion: API_VERSION,
      kind: 'NetworkAttachment',
      metadata: { name },
      spec: { node: 'comp0', subnet: subnetName },
    });
  const getAtt = (ns: string, name: string): Promise<NetworkAttachment> =>
    client.get<NetworkAttachment>(kosRef('networkattachments', ns, name));
  const addressed = (ns: string, name: string): Promise<NetworkAttachment> =>
    waitFor(`${ns}/${name} addressed`, async () => {
      const a = await getAtt(ns, name);
      return a.status?.ipv4 === undefined ? undefined : a;
    });
  const lockGone = (ns: string, name: string): Promise<true> =>
    waitFor(`lock ${ns}/${name} gone`, async () => {
      try {
        await client.get(kosRef('iplocks', ns, name));
        return undefined;
      } catch (e: unknown) {
        if (isNotFound(e)) return true;
        throw e;
      }
    });
  const start = (i: number): Promise<NctrlNode> =>
    startNctrl({
      name: `nctrl${i}`,
      host: nodeAddress('nctrl', i),
      apiServers: stack.napis.map((n) => n.url),
      log: (m) => logs.push(m),
    });
  const audit = async (ns: string): Promise<ReturnType<typeof auditIpam>> => {
    const [atts, locks, subnets] = await Promise.all([
      client.listAll<NetworkAttachment>(kosRef('networkattachments', ns)),
      client.listAll<IPLock>(kosRef('iplocks', ns)),
      client.listAll<Subnet>(kosRef('subnets', ns)),
    ]);
    return auditIpam(atts.items, locks.items, subnets.items);
  };

  before(async () => {
    stack = await withStack();
    client = new RestClient({ server: stack.napis[0]?.url ?? '' });
    nctrl = await start(0);
  });
  after(async () => {
    await nctrl.stop();
    await client.close();
    await stack.cleanup();
  });

  it('gives an attachment of a validated subnet an address, backed by its IPLock', async () => {
    const s = await subnet('one', 's1', '10.1.0.0/24', 101);
    const att = await attach('one', 'a1', 's1');
    const done = await addressed('one', 'a1');
    const st = done.status ?? assert.fail('no status');
    const address = parseIPv4(st.ipv4 ?? '') ?? assert.fail(`bad ipv4 ${st.ipv4 ?? ''}`);
    const range = usableRange(parseCidr('10.1.0.0/24') ?? assert.fail());
    assert.ok(address >= range.first && address <= range.last, `${st.ipv4 ?? ''} is not a host address`);
    assert.equal(st.addressVNI, 101);
    assert.equal(st.errors, undefined);
    assert.equal(st.addressContention, undefined, 'no contention (false is omitted)');
    assert.equal(
      st.subnetCreationTime,
      s.extendedMetadata?.writes?.find((w) => w.section === 'spec')?.serverTime,
    );
    const lock = await client.get<IPLock>(kosRef('iplocks', 'one', ipLockName(101, formatIPv4(address))));
    assert.equal(lock.metadata.uid, st.lockUID);
    assert.equal(lock.spec.subnetName, 's1');
    assert.deepEqual(lock.metadata.ownerReferences, [
      {
        apiVersion: API_VERSION,
        kind: 'NetworkAttachment',
        name: 'a1',
        uid: att.metadata.uid,
        controller: true,
      },
    ]);
    assert.deepEqual(
      done.extendedMetadata?.writes?.map((w) => w.section).sort(),
      ['spec', 'status.address'],
      'one status write',
    );
  });

  it('reports a missing subnet in errors.ipam, then addresses once the subnet exists and is validated', async () => {
    await attach('late', 'a1', 'later');
    const failed = await waitFor('errors.ipam', async () => {
      const a = await getAtt('late', 'a1');
      return a.status?.errors?.ipam === undefined ? undefined : a;
    });
    assert.deepEqual(failed.status?.errors?.ipam, ['subnet later does not exist']);
    assert.equal(failed.status.ipv4, undefined);
    await subnet('late', 'later', '10.2.0.0/24', 102);
    const done = await addressed('late', 'a1');
    assert.equal(done.status?.errors, undefined, 'the error is cleared');
    assert.equal(done.status?.addressVNI, 102);
  });

  it('releases the lock when its attachment is deleted', async () => {
    await subnet('del', 's1', '10.3.0.0/24', 103);
    await attach('del', 'a1', 's1');
    const done = await addressed('del', 'a1');
    const lockName = ipLockName(103, done.status?.ipv4 ?? '');
    await client.get(kosRef('iplocks', 'del', lockName));
    await client.delete(kosRef('networkattachments', 'del', 'a1'));
    await lockGone('del', lockName);
  });

  it('reports a full subnet and addresses the waiting attachment when an address frees up', async () => {
    await subnet('full', 's1', '10.4.0.0/30', 104); // two host addresses
    await attach('full', 'a1', 's1');
    await attach('full', 'a2', 's1');
    await addressed('full', 'a1');
    await addressed('full', 'a2');
    await attach('full', 'a3', 's1');
    const failed = await waitFor('full subnet error', async () => {
      const a = await getAtt('full', 'a3');
      return a.status?.errors?.ipam === undefined ? undefined : a;
    });
    assert.deepEqual(failed.status?.errors?.ipam, ['no IP address available in subnet full/s1']);
    const freed = (await getAtt('full', 'a1')).status?.ipv4;
    await client.delete(kosRef('networkattachments', 'full', 'a1'));
    const done = await addressed('full', 'a3');
    assert.equal(done.status?.ipv4, freed);
    assert.deepEqual((await audit('full')).violations, []);
  });

  it('re-addresses a re-created attachment of the same name and releases the old lock', async () => {
    await subnet('again', 's1', '10.5.0.0/24', 105);
    const first = await attach('again', 'a1', 's1');
    await addressed('again', 'a1');
    await client.delete(kosRef('networkattachments', 'again', 'a1'));
    const second = await attach('again', 'a1', 's1');
    assert.notEqual(first.metadata.uid, second.metadata.uid);
    const done = await waitFor('the new edition addressed', async () => {
      const a = await getAtt('again', 'a1');
      return a.status?.ipv4 === undefined ? undefined : a;
    });
    assert.equal(done.metadata.uid, second.metadata.uid);
    await waitFor('one lock left', async () => ((await audit('again')).locks === 1 ? true : undefined));
    assert.deepEqual((await audit('again')).violations, []);
  });

  it('serves its metrics and health', async () => {
    const metrics = await (await fetch(nctrl.endpoints.metrics)).text();
    for (const name of [
      'kos_ipam_last_client_write_to_lock_latency_seconds_count',
      'kos_ipam_last_client_write_to_address_latency_seconds_count',
      'kos_ipam_address_contention',
      'kos_subnet_validator_subnet_create_to_validated_latency_seconds_count',
      'kos_workqueue_depth{name="ipam"',
    ]) {
      assert.ok(metrics.includes(name), `${name} in /metrics`);
    }
    assert.match(metrics, /kos_ipam_last_client_write_to_address_latency_seconds_count\{[^}]*\} [1-9]/);
    assert.equal((await fetch(nctrl.endpoints.healthz)).status, 200);
    assert.ok(nctrl.endpoints.metrics.startsWith(`http://${nodeAddress('nctrl', 0)}:`));
  });

  it('after a restart keeps every address, adopts a lock taken before a crash and collects orphans', async () => {
    const ns = 'restart';
    await subnet(ns, 's1', '10.6.0.0/24', 106);
    const names = Array.from({ length: 40 }, (_, i) => `a${i}`);
    await Promise.all(names.map((n) => attach(ns, n, 's1')));
    const before = new Map<string, string>();
    for (const n of names) before.set(n, (await addressed(ns, n)).status?.ipv4 ?? '');
    await nctrl.stop();

    // While no controller runs: deletes, creates, a lock taken just before a "crash" (no status
    // yet), and a lock whose owner is long gone.
    for (const n of names.slice(0, 10)) await client.delete(kosRef('networkattachments', ns, n));
    const fresh = Array.from({ length: 15 }, (_, i) => `b${i}`);
    await Promise.all(fresh.map((n) => attach(ns, n, 's1')));
    const crashed = await attach(ns, 'crashed', 's1');
    const owner = (name: string, uid: string): IPLock['metadata']['ownerReferences'] => [
      { apiVersion: API_VERSION, kind: 'NetworkAttachment', name, uid, controller: true },
    ];
    await client.create(kosRef('iplocks', ns), {
      apiVersion: API_VERSION,
      kind: 'IPLock',
      metadata: {
        name: ipLockName(106, '10.6.0.200'),
        ownerReferences: owner('crashed', crashed.metadata.uid ?? ''),
      },
      spec: { subnetName: 's1' },
    });
    await client.create(kosRef('iplocks', ns), {
      apiVersion: API_VERSION,
      kind: 'IPLock',
      metadata: { name: ipLockName(106, '10.6.0.201'), ownerReferences: owner('ghost', 'no-such-uid') },
      spec: { subnetName: 's1' },
    });

    nctrl = await start(1);
    assert.equal((await addressed(ns, 'crashed')).status?.ipv4, '10.6.0.200', 'adopted the lock it held');
    for (const n of [...names.slice(10), ...fresh]) await addressed(ns, n);
    await lockGone(ns, ipLockName(106, '10.6.0.201'));
    for (const n of names.slice(10)) assert.equal((await getAtt(ns, n)).status?.ipv4, before.get(n), n);
    const report = await waitFor('locks settled', async () => {
      const r = await audit(ns);
      return r.locks === r.attachments ? r : undefined;
    });
    assert.deepEqual(report.violations, []);
    assert.equal(report.addressed, 46);
    assert.deepEqual(report.unaddressed, []);
  });
});
