import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_VERSION, type NetworkAttachment, type Subnet } from '../../../../src/api/kos-types.js';
import { RestClient } from '../../../../src/kube/rest-client.js';
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

describe('nctrl subnet validator against a real network-apiserver and etcd', () => {
  let stack: Stack;
  let client: RestClient;
  let nctrl: NctrlNode;

  const create = (ns: string, name: string, ipv4: string, vni: number): Promise<Subnet> =>
    client.create<Subnet>(kosRef('subnets', ns), {
      apiVersion: API_VERSION,
      kind: 'Subnet',
      metadata: { name },
      spec: { ipv4, vni },
    });
  const judged = (ns: string, name: string): Promise<Subnet> =>
    waitFor(`subnet ${ns}/${name} judged`, async () => {
      const s = await client.get<Subnet>(kosRef('subnets', ns, name));
      return s.status?.validated === true || (s.status?.errors ?? []).length > 0 ? s : undefined;
    });

  before(async () => {
    stack = await withStack();
    client = new RestClient({ server: stack.napis[0]?.url ?? '' });
    nctrl = await startNctrl({
      name: 'nctrl0',
      host: nodeAddress('nctrl', 0),
      apiServers: ['http://127.2.0.250:1', ...stack.napis.map((n) => n.url)],
      log: () => undefined,
    });
  });
  after(async () => {
    await nctrl.stop();
    await client.close();
    await stack.cleanup();
  });

  it('uses the first network-apiserver that answers', () => {
    assert.equal(nctrl.endpoints.api, stack.napis[0]?.url);
  });

  it('validates a subnet that conflicts with nothing', async () => {
    await create('v1', 'alone', '10.10.0.0/24', 201);
    const s = await judged('v1', 'alone');
    assert.deepEqual(s.status, { validated: true });
    const metrics = await (await fetch(nctrl.endpoints.metrics)).text();
    assert.match(
      metrics,
      /kos_subnet_validator_subnet_create_to_validated_latency_seconds_count\{[^}]*statusErr="ok"[^}]*\} [1-9]/,
    );
  });

  it('refuses a subnet whose CIDR overlaps another of its VNI, and keeps the first validated', async () => {
    await create('v2', 'first', '10.20.0.0/24', 202);
    assert.equal((await judged('v2', 'first')).status?.validated, true);
    await create('v2', 'second', '10.20.0.128/25', 202);
    const s = await judged('v2', 'second');
    assert.equal(s.status?.validated ?? false, false);
    assert.deepEqual(s.status?.errors, ['CIDR block 10.20.0.128/25 overlaps 10.20.0.0/24 of v2/first']);
    const first = await client.get<Subnet>(kosRef('subnets', 'v2', 'first'));
    assert.deepEqual(first.status, { validated: true }, 'validated stays validated');
  });

  it('refuses a subnet whose VNI is used in another namespace', async () => {
    await create('v3a', 'mine', '10.30.0.0/24', 203);
    assert.equal((await judged('v3a', 'mine')).status?.validated, true);
    await create('v3b', 'theirs', '10.31.0.0/24', 203);
    const s = await judged('v3b', 'theirs');
    assert.deepEqual(s.status?.errors, ['VNI 203 is already used in another namespace, by v3a/mine']);
  });

  it('validates a refused subnet once the subnet it conflicted with is deleted', async () => {
    await create('v4', 'old', '10.40.0.0/16', 204);
    assert.equal((await judged('v4', 'old')).status?.validated, true);
    await create('v4', 'new', '10.40.7.0/24', 204);
    assert.deepEqual((await judged('v4', 'new')).status?.errors, [
      'CIDR block 10.40.7.0/24 overlaps 10.40.0.0/16 of v4/old',
    ]);
    await client.delete(kosRef('subnets', 'v4', 'old'));
    const revalidated = await waitFor('re-validation', async () => {
      const s = await client.get<Subnet>(kosRef('subnets', 'v4', 'new'));
      return s.status?.validated === true ? s : undefined;
    });
    assert.equal(revalidated.status?.errors, undefined, 'the errors are cleared');
    await create('v4x', 'elsewhere', '10.41.0.0/24', 204);
    assert.deepEqual((await judged('v4x', 'elsewhere')).status?.errors, [
      'VNI 204 is already used in another namespace, by v4/new',
    ]);
  });

  it('refuses two subnets that conflict with each other until one of them goes', async () => {
    await create('v6a', 'left', '10.60.0.0/24', 206);
    await create('v6b', 'right', '10.61.0.0/24', 206);
    const [left, right] = await Promise.all([judged('v6a', 'left'), judged('v6b', 'right')]);
    // Judged one after the other, the first passes; judged at once, neither does. Never both.
    assert.ok(!(left.status?.validated === true && right.status?.validated === true), 'not both');
    await client.delete(kosRef('subnets', 'v6b', 'right'));
    await waitFor('left validated', async () => {
      const s = await client.get<Subnet>(kosRef('subnets', 'v6a', 'left'));
      return s.status?.validated === true ? s : undefined;
    });
  });

  it('lets IPAM address the attachments of a subnet once it passes validation', async () => {
    await create('v5', 'blocker', '10.50.0.0/24', 205);
    assert.equal((await judged('v5', 'blocker')).status?.validated, true);
    await create('v5', 'wanted', '10.50.0.0/25', 205);
    await judged('v5', 'wanted');
    await client.create(kosRef('networkattachments', 'v5'), {
      apiVersion: API_VERSION,
      kind: 'NetworkAttachment',
      metadata: { name: 'a1' },
      spec: { node: 'comp0', subnet: 'wanted' },
    });
    const refused = await waitFor('errors.ipam', async () => {
      const a = await client.get<NetworkAttachment>(kosRef('networkattachments', 'v5', 'a1'));
      return a.status?.errors?.ipam === undefined ? undefined : a;
    });
    assert.deepEqual(refused.status?.errors?.ipam, ['subnet wanted has not passed validation']);
    await client.delete(kosRef('subnets', 'v5', 'blocker'));
    const done = await waitFor('addressed', async () => {
      const a = await client.get<NetworkAttachment>(kosRef('networkattachments', 'v5', 'a1'));
      return a.status?.ipv4 === undefined ? undefined : a;
    });
    assert.match(done.status?.ipv4 ?? '', /^10\.50\.0\.\d+$/);
    assert.equal(done.status?.errors, undefined);
  });
});
