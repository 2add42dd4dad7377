import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NetworkAttachment } from '../../../../src/api/kos-types.js';
import { parseMicroTime } from '../../../../src/api/micro-time.js';
import { isConflict } from '../../../../src/kube/kube-api-error.js';
import { RestClient } from '../../../../src/kube/rest-client.js';
import { AgentMetrics } from '../../../../src/testbed/comp/agent-metrics.js';
import { ATTACHMENTS } from '../../../../src/testbed/comp/attachment.js';
import { HollowFabric, type FabricOp } from '../../../../src/testbed/comp/fabric.js';
import { HollowAgent } from '../../../../src/testbed/comp/hollow-agent.js';
import { ifcName, macAddress } from '../../../../src/testbed/comp/mac-address.js';
import { nodeAddress, nodeName } from '../../../../src/testbed/node-addresses.js';
import { withStack } from '../../../support/stack.js';

type Stack = Awaited<ReturnType<typeof withStack>>;
type Att = NetworkAttachment & { metadata: { name: string; namespace: string } };

/** Creates attachments and writes their addresses as IPAM would: the test's stand-in for nctrl. */
class Driver {
  constructor(readonly client: RestClient) {}

  async create(ns: string, name: string, node: string): Promise<Att> {
    return this.client.create<Att>(
      { ...ATTACHMENTS, namespace: ns },
      {
        apiVersion: 'network.example.com/v1alpha1',
        kind: 'NetworkAttachment',
        metadata: { name },
        spec: { node, subnet: 's1' },
      },
    );
  }

  /** Merges `status` into the attachment's status with a PUT to /status, retrying on 409. */
  async setStatus(ns: string, name: string, status: NetworkAttachment['status']): Promise<Att> {
    const ref = { ...ATTACHMENTS, namespace: ns, name };
    for (;;) {
      const cur = await this.client.get<Att>(ref);
      try {
        return await this.client.update<Att>(
          { ...ref, subresource: 'status' },
          { ...cur, status: { ...cur.status, ...status } },
        );
      } catch (e: unknown) {
        if (!isConflict(e)) throw e;
      }
    }
  }

  address(ns: string, name: string, ipv4: string, vni: number): Promise<Att> {
    return this.setStatus(ns, name, { ipv4, addressVNI: vni, lockUID: `lock-${vni}-${ipv4}` });
  }

  get(ns: string, name: string): Promise<Att> {
    return this.client.get<Att>({ ...ATTACHMENTS, namespace: ns, name });
  }

  async delete(ns: string, name: string): Promise<void> {
    await this.client.delete({ ...ATTACHMENTS, namespace: ns, name });
  }
}

function stamp(att: NetworkAttachment, section: string): number {
  const w = att.extendedMetadata?.writes?.find((x) => x.section === section);
  const micros = w === undefined ? undefined : parseMicroTime(w.serverTime);
  assert.ok(micros !== undefined, `${att.metadata.name} has a ${section} stamp`);
  return micros;
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

async function implemented(driver: Driver, ns: string, name: string): Promise<Att> {
  return waitFor(`${ns}/${name} implemented`, async () => {
    const a = await driver.get(ns, name);
    return (a.status?.hostIP ?? '') === '' ? undefined : a;
  });
}

/** The value of the one series of `name` that has all of `labels`, from Prometheus text. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const found = text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && want.every((p) => l.includes(p)))
    .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
  assert.ok(found.length <= 1, `several ${name} series match ${want.join(',')}`);
  return found[0];
}

async function napiWatchers(stack: Stack): Promise<number> {
  let n = 0;
  for (const napi of stack.napis) {
    const m = await napi.metrics.registeredWatchers.get();
    for (const v of m.values) if (v.labels.kind === 'NetworkAttachment') n += v.value;
  }
  return n;
}

function agentOn(stack: Stack, index: number, fabric: HollowFabric): HollowAgent {
  const napi = stack.napis[0];
  assert.ok(napi);
  return new HollowAgent({
    node: nodeName('comp', index),
    hostIP: nodeAddress('comp', index),
    apiServer: napi.url,
    fabric,
  });
}

describe('a hollow connection agent against a real network-apiserver and etcd', () => {
  let stack: Stack;
  let driver: Driver;

  before(async () => {
    stack = await withStack();
    const napi = stack.napis[0];
    assert.ok(napi);
    driver = new Driver(new RestClient({ server: napi.url }));
  });
  after(async () => {
    await driver.client.close();
    await stack.cleanup();
  });

  it('implements a local attachment once it has an address: MAC, interface name and host IP, after the fabric delay', async () => {
    const fabric = new HollowFabric({ delay: '40ms' });
    const agent = agentOn(stack, 3, fabric);
    await agent.start();
    try {
      await driver.create('impl', 'a1', 'comp3');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(
        (await driver.get('impl', 'a1')).status?.hostIP,
        undefined,
        'nothing happens before an address',
      );
      assert.equal(agent.watchCount, 1);
      await driver.address('impl', 'a1', '10.1.0.5', 100);
      const a = await implemented(driver, 'impl', 'a1');
      const mac = macAddress(100, '10.1.0.5');
      const status = a.status;
      assert.ok(status !== undefined && mac !== undefined);
      assert.equal(status.macAddress, mac);
      assert.equal(status.ifcName, ifcName(mac));
      assert.equal(status.hostIP, '127.10.0.4');
      assert.equal(status.postCreateExecReport, undefined);
      const implAfterSpec = (stamp(a, 'status.impl') - stamp(a, 'spec')) / 1000;
      const implAfterAddress = (stamp(a, 'status.impl') - stamp(a, 'status.address')) / 1000;
      assert.ok(implAfterSpec >= 40, `status.impl ${implAfterSpec} ms after spec`);
      assert.ok(implAfterAddress >= 40, `status.impl ${implAfterAddress} ms after status.address`);
      assert.equal(agent.localIfcCount, 1);
      assert.equal(fabric.calls.CreateLocalIfc, 1);
      // Nothing more to do: no second fabric call, no second status write.
      const rv = a.metadata.resourceVersion;
      await agent.idle();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await driver.get('impl', 'a1')).metadata.resourceVersion, rv);
      assert.equal(fabric.calls.CreateLocalIfc, 1);
    } finally {
      await agent.stop();
      fabric.stop();
    }
  });

  it('re-implements a re-addressed local attachment: old interface deleted, new MAC written, errors.host cleared', async () => {
    const fabric = new HollowFabric({ delay: '1ms' });
    const agent = agentOn(stack, 5, fabric);
    await agent.start();
    try {
      await driver.create('redo', 'r1', 'comp5');
      await driver.address('redo', 'r1', '10.5.0.1', 150);
      await implemented(driver, 'redo', 'r1');
      await driver.setStatus('redo', 'r1', { errors: { host: ['stale complaint'] } });
      await driver.address('redo', 'r1', '10.5.0.2', 150);
      const a = await waitFor('new MAC', async () => {
        const x = await driver.get('redo', 'r1');
        return x.status?.macAddress === macAddress(150, '10.5.0.2') ? x : undefined;
      });
      assert.equal(a.status?.errors?.host, undefined, 'errors.host cleared');
      assert.equal(a.status?.ifcName, ifcName(macAddress(150, '10.5.0.2') ?? ''));
      assert.equal(fabric.calls.DeleteLocalIfc, 1, 'the old interface went');
      assert.equal(fabric.calls.CreateLocalIfc, 2);
      assert.equal(agent.localIfcCount, 1);
    } finally {
      await agent.stop();
      fabric.stop();
    }
  });

  it('on a 409 re-reads the attachment and writes its status again', async () => {
    let conflicting: Promise<unknown> | undefined;
    const fabric = new HollowFabric({
      delay: '150ms',
      // While the interface is being made, someone else updates the object (a label).
      onCall: (op) => {
        if (op !== 'CreateLocalIfc') return;
        conflicting = driver
          .get('conflict', 'c1')
          .then((cur) =>
            driver.client.update(
              { ...ATTACHMENTS, namespace: 'conflict', name: 'c1' },
              { ...cur, metadata: { ...cur.metadata, labels: { touched: 'yes' } } },
            ),
          );
      },
    });
    const metrics = new AgentMetrics('conflict-test', { processMetrics: false });
    const agent = new HollowAgent({
      node: 'comp6',
      hostIP: nodeAddress('comp', 6),
      apiServer: stack.napis[0]?.url ?? '',
      fabric,
      metrics,
    });
    await agent.start();
    try {
      await driver.create('conflict', 'c1', 'comp6');
      await driver.address('conflict', 'c1', '10.6.0.1', 160);
      const a = await implemented(driver, 'conflict', 'c1');
      await conflicting;
      assert.equal(a.metadata.labels?.touched, 'yes');
      assert.equal(a.status?.macAddress, macAddress(160, '10.6.0.1'));
      const puts = 'kos_agent_attachment_status_latency_seconds_count';
      // The driver's watch can see the status before the agent has handled its PUT's answer.
      let text = await metrics.metrics();
      for (let i = 0; i < 100 && sample(text, puts, { err: 'ok' }) === undefined; i++) {
        await new Promise((r) => setTimeout(r, 20));
        text = await metrics.metrics();
      }
      assert.equal(sample(text, puts, { err: 'err' }), 1, 'one PUT met a 409');
      assert.equal(sample(text, puts, { err: 'ok' }), 1, 'the retry succeeded');
      assert.equal(fabric.calls.CreateLocalIfc, 1, 'the interface is made once');
    } finally {
      await agent.stop();
      fabric.stop();
    }
  });

  it('adds about D to (status.impl - status.address) when the fabric delay grows by D', async () => {
    const D = 150;
    // Each gap: watch delivery of the address, the fabric delay, the status PUT.
    const gap = async (index: number, delay: string, ns: string): Promise<number> => {
      const fabric = new HollowFabric({ delay });
      const agent = agentOn(stack, index, fabric);
      await agent.start();
      try {
        const gaps: number[] = [];
        for (let i = 0; i < 5; i++) {
          await driver.create(ns, `g${i}`, nodeName('comp', index));
          await driver.address(ns, `g${i}`, `10.${index}.0.${i + 1}`, 300 + index);
          const a = await implemented(driver, ns, `g${i}`);
          gaps.push((stamp(a, 'status.impl') - stamp(a, 'status.address')) / 1000);
        }
        // The least gap: the fabric delay plus the fastest watch-and-write overhead, which
        // varies less than the typical one on a noisy machine.
        return Math.min(...gaps);
      } finally {
        await agent.stop();
        fabric.stop();
      }
    };
    const base = await gap(10, '10ms', 'gap-base');
    const raised = await gap(11, `${10 + D}ms`, 'gap-raised');
    const added = raised - base;
    assert.ok(
      added > D * 0.85 && added < D * 1.35,
      `least gap ${base} → ${raised} ms: added ${added} ms for D = ${D} ms`,
    );
  });

  it('opens a VNI watch while a local attachment is in the VNI, programs its remote attachments, and closes it with the last one', async () => {
    const fabricA = new HollowFabric({ delay: '1ms' });
    const fabricB = new HollowFabric({ delay: '1ms' });
    const a = agentOn(stack, 20, fabricA);
    const b = agentOn(stack, 21, fabricB);
    // Earlier tests' agents are stopped; the server notices their closed watches promptly.
    const watchersBefore = await waitFor('no agent watches left', async () =>
      (await napiWatchers(stack)) === 0 ? 0 : undefined,
    );
    await Promise.all([a.start(), b.start()]);
    try {
      assert.equal(a.watchCount, 1);
      await waitFor('both node watches open on the server', async () =>
        (await napiWatchers(stack)) === watchersBefore + 2 ? true : undefined,
      );
      // The remote attachment exists first, implemented by its own agent.
      await driver.create('vn', 'remote1', 'comp21');
      await driver.address('vn', 'remote1', '10.20.0.9', 700);
      await implemented(driver, 'vn', 'remote1');
      assert.equal(a.watchCount, 1, 'VNI 700 is not relevant to comp20 yet');
      assert.deepEqual(a.interfaces().remote, []);

      await driver.create('vn', 'local1', 'comp20');
      await driver.create('vn', 'local2', 'comp20');
      await driver.address('vn', 'local1', '10.20.0.1', 700);
      await implemented(driver, 'vn', 'local1');
      await waitFor('remote1 programmed on comp20', () => a.interfaces().remote.includes('vn/remote1'));
      assert.equal(a.watchCount, 2);
      assert.deepEqual([...a.relevantVnis().entries()], [[700, ['vn/remote1']]]);
      assert.equal(a.remoteIfcCount, 1);
      // comp21 now has a local attachment in VNI 700 too, and it sees local1 as remote.
      await waitFor('local1 programmed on comp21', () => b.interfaces().remote.includes('vn/local1'));
      await waitFor('two VNI watches open on the server', async () =>
        (await napiWatchers(stack)) === watchersBefore + 4 ? true : undefined,
      );

      await driver.address('vn', 'local2', '10.20.0.2', 700);
      await implemented(driver, 'vn', 'local2');
      await driver.delete('vn', 'local1');
      await waitFor('local1 gone from comp20', () =>
        a.interfaces().local.includes('vn/local1') ? undefined : true,
      );
      await a.idle();
      assert.equal(a.watchCount, 2, 'local2 keeps VNI 700 relevant');
      assert.deepEqual(a.interfaces().remote, ['vn/remote1']);

      await driver.delete('vn', 'local2');
      await waitFor('VNI 700 irrelevant on comp20', () => (a.watchCount === 1 ? true : undefined));
      await waitFor('remote1 dropped on comp20', () => (a.remoteIfcCount === 0 ? true : undefined));
      assert.deepEqual(a.interfaces(), { local: [], remote: [] });
      assert.equal(a.relevantVnis().size, 0);
      assert.equal(fabricA.calls.DeleteRemoteIfc, 1);
      assert.equal(fabricA.calls.DeleteLocalIfc, 2);
      await waitFor('the VNI watch closed on the server', async () =>
        (await napiWatchers(stack)) === watchersBefore + 3 ? true : undefined,
      );
      // comp21 loses its remote view of local1 and local2 as they are deleted.
      await waitFor('comp21 dropped local1/2', () => (b.interfaces().remote.length === 0 ? true : undefined));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      fabricA.stop();
      fabricB.stop();
    }
    await waitFor('all agent watches closed on the server', async () =>
      (await napiWatchers(stack)) === watchersBefore ? true : undefined,
    );
  });

  it('cleans up on delete: the local interface goes through the fabric, nothing is left', async () => {
    const ops: FabricOp[] = [];
    const fabric = new HollowFabric({ delay: '1ms', onCall: (op) => ops.push(op) });
    const agent = agentOn(stack, 30, fabric);
    await agent.start();
    try {
      await driver.create('del', 'd1', 'comp30');
      await driver.address('del', 'd1', '10.30.0.1', 900);
      await implemented(driver, 'del', 'd1');
      assert.equal(agent.watchCount, 2);
      await driver.delete('del', 'd1');
      await waitFor('d1 cleaned up', () =>
        agent.localIfcCount === 0 && agent.watchCount === 1 ? true : undefined,
      );
      await agent.idle();
      assert.deepEqual(ops, ['CreateLocalIfc', 'DeleteLocalIfc']);
      assert.deepEqual(agent.interfaces(), { local: [], remote: [] });
    } finally {
      await agent.stop();
      fabric.stop();
    }
  });

  it('leaves postCreateExec unrun and the exec report unset', async () => {
    const fabric = new HollowFabric({ delay: '1ms' });
    const agent = agentOn(stack, 31, fabric);
    await agent.start();
    try {
      await driver.client.create(
        { ...ATTACHMENTS, namespace: 'exec' },
        {
          apiVersion: 'network.example.com/v1alpha1',
          kind: 'NetworkAttachment',
          metadata: { name: 'e1' },
          spec: {
            node: 'comp31',
            subnet: 's1',
            postCreateExec: ['/bin/touch', '/tmp/kos-test-must-not-exist'],
          },
        },
      );
      await driver.address('exec', 'e1', '10.31.0.1', 901);
      const a = await implemented(driver, 'exec', 'e1');
      assert.equal(a.status?.postCreateExecReport, undefined);
      assert.equal(a.status?.errors?.host, undefined);
    } finally {
      await agent.stop();
      fabric.stop();
    }
  });
});
