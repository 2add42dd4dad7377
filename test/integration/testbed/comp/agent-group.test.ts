import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { NetworkAttachment } from '../../../../src/api/kos-types.js';
import { isConflict } from '../../../../src/kube/kube-api-error.js';
import { RestClient } from '../../../../src/kube/rest-client.js';
import { startAgentGroup, type AgentSpec } from '../../../../src/testbed/comp/agent-group.js';
import { ATTACHMENTS } from '../../../../src/testbed/comp/attachment.js';
import { nodeAddress, nodeName } from '../../../../src/testbed/node-addresses.js';
import { KosTestError } from '../../../../src/util/errors.js';
import { withStack } from '../../../support/stack.js';

type Stack = Awaited<ReturnType<typeof withStack>>;

function agentSpecs(stack: Stack, first: number, count: number): AgentSpec[] {
  return Array.from({ length: count }, (_, k) => {
    const i = first + k;
    const napi = stack.napis[i % stack.napis.length];
    assert.ok(napi);
    return { node: nodeName('comp', i), hostIP: nodeAddress('comp', i), apiServer: napi.url };
  });
}

/** GET without keep-alive, so the test's own client leaves no socket behind. */
function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    }).on('error', reject);
  });
}

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((p) => l.includes(p)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function watchersPerNapi(stack: Stack): Promise<number[]> {
  return Promise.all(
    stack.napis.map(async (napi) => {
      const m = await napi.metrics.registeredWatchers.get();
      return m.values.filter((v) => v.labels.kind === 'NetworkAttachment').reduce((n, v) => n + v.value, 0);
    }),
  );
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const sockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a group of hollow connection agents in one process, over two network-apiservers', () => {
  let stack: Stack;
  let client: RestClient;

  before(async () => {
    stack = await withStack({ napiCount: 2 });
    client = new RestClient({ server: stack.napis[0]?.url ?? '' });
  });
  after(async () => {
    await client.close();
    await stack.cleanup();
  });

  it('spreads its agents over both apiservers, implements every attachment, and exports per-node and shared metrics', async () => {
    const group = await startAgentGroup({
      name: 'comp-group-spread',
      agents: agentSpecs(stack, 0, 6),
      fabricDelay: 'uniform:1ms-3ms',
      fabricSeed: 1,
      metricsHost: '127.10.255.1',
    });
    try {
      assert.deepEqual(group.nodes, ['comp0', 'comp1', 'comp2', 'comp3', 'comp4', 'comp5']);
      assert.equal((await httpGet(group.endpoints.metrics.replace('/metrics', '/healthz'))).status, 200);
      const ns = 'spread';
      for (let i = 0; i < 6; i++) {
        await client.create(
          { ...ATTACHMENTS, namespace: ns },
          {
            apiVersion: 'network.example.com/v1alpha1',
            kind: 'NetworkAttachment',
            metadata: { name: `a${i}` },
            spec: { node: `comp${i}`, subnet: 's1' },
          },
        );
      }
      for (let i = 0; i < 6; i++) {
        const ref = { ...ATTACHMENTS, namespace: ns, name: `a${i}` };
        for (;;) {
          const cur = await client.get<NetworkAttachment & Record<string, unknown>>(ref);
          try {
            await client.update(
              { ...ref, subresource: 'status' },
              { ...cur, status: { ipv4: `10.9.0.${i + 1}`, addressVNI: 500, lockUID: `l${i}` } },
            );
            break;
          } catch (e: unknown) {
            if (!isConflict(e)) throw e;
          }
        }
      }
      await waitFor('every agent has its local and the 5 remote interfaces', () =>
        group.agents.every((a) => a.localIfcCount === 1 && a.remoteIfcCount === 5) ? true : undefined,
      );
      assert.equal(group.watchCount(), 12, 'a node watch and a VNI watch per agent');
      await waitFor('both apiservers serve half of the watches', async () => {
        const per = await watchersPerNapi(stack);
        return per[0] === 6 && per[1] === 6 ? true : undefined;
      });
      const list = await client.list<NetworkAttachment>({ ...ATTACHMENTS, namespace: ns });
      for (const a of list.items)
        assert.equal(a.status?.hostIP, nodeAddress('comp', Number(a.spec.node.slice(4))));

      const text = (await httpGet(group.endpoints.metrics)).body;
      for (const node of group.nodes) {
        assert.equal(sample(text, 'kos_agent_local_attachments', { node }), 1, node);
        assert.equal(sample(text, 'kos_agent_remote_attachments', { node }), 5, node);
        assert.equal(sample(text, 'kos_agent_watches', { node, group: 'comp-group-spread' }), 2, node);
      }
      const count = (name: string, labels: Record<string, string> = {}): number | undefined =>
        sample(text, `${name}_count`, { group: 'comp-group-spread', ...labels });
      assert.equal(
        count('kos_agent_last_client_write_to_local_ifc_latency_seconds', { last_client_wr: 'na' }),
        6,
      );
      assert.equal(
        count('kos_agent_last_client_write_to_status_update_latency_seconds', { last_client_wr: 'na' }),
        6,
      );
      assert.equal(count('kos_agent_fabric_latency_seconds', { op: 'CreateLocalIfc' }), 6);
      assert.equal(count('kos_agent_fabric_latency_seconds', { op: 'CreateRemoteIfc' }), 30);
      // Every creation also records its wait from the watch event to the fabric call.
      assert.equal(count('kos_agent_fabric_wait_latency_seconds', { op: 'CreateLocalIfc' }), 6);
      assert.equal(count('kos_agent_fabric_wait_latency_seconds', { op: 'CreateRemoteIfc' }), 30);
      // A remote interface counts from the later of its attachment's own write and its VN's relevance.
      const remote = ['na', '1st_local_na'].map(
        (l) => count('kos_agent_last_client_write_to_remote_ifc_latency_seconds', { last_client_wr: l }) ?? 0,
      );
      assert.equal(sum(remote), 30);
      assert.equal(
        count('kos_agent_attachment_impl_to_remote_ifc_latency_seconds', { last_client_wr: 'na' }) ?? 0,
        remote[0],
      );
      assert.equal(sample(text, 'kos_agent_group_agents', { group: 'comp-group-spread' }), 6);

      for (let i = 0; i < 6; i++) await client.delete({ ...ATTACHMENTS, namespace: ns, name: `a${i}` });
      await waitFor('everything torn down', () =>
        group.agents.every((a) => a.localIfcCount === 0 && a.remoteIfcCount === 0) && group.watchCount() === 6
          ? true
          : undefined,
      );
    } finally {
      await group.stop();
    }
  });

  it('starts 200 agents, each holding its node watch, and stops leaving no open socket', async () => {
    await waitFor('no agent watches left', async () =>
      sum(await watchersPerNapi(stack)) === 0 ? true : undefined,
    );
    const socketsBefore = sockets();
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const group = await startAgentGroup({
      name: 'comp-group-200',
      agents: agentSpecs(stack, 100, 200),
      fabricDelay: 'exp:3ms',
      metricsHost: '127.10.255.2',
    });
    const startMs = performance.now() - t0;
    let stopped = false;
    try {
      assert.equal(group.watchCount(), 200);
      const per = await waitFor('200 watches on the servers', async () => {
        const p = await watchersPerNapi(stack);
        return sum(p) === 200 ? p : undefined;
      });
      assert.deepEqual(per, [100, 100]);
      const rss = process.memoryUsage().rss - rss0;
      console.log(
        `200 agents started in ${startMs.toFixed(0)} ms; +${(rss / 2 ** 20).toFixed(1)} MiB RSS in this process (agents and server side)`,
      );
      const text = (await httpGet(group.endpoints.metrics)).body;
      assert.equal(sample(text, 'kos_agent_watches', { node: 'comp299' }), 1);
      assert.equal(sample(text, 'kos_agent_group_agents', {}), 200);
      await group.stop();
      stopped = true;
      assert.equal(group.watchCount(), 0);
      await waitFor('the servers saw every watch end', async () =>
        sum(await watchersPerNapi(stack)) === 0 ? true : undefined,
      );
      await waitFor('no socket left open', () => (sockets() <= socketsBefore ? true : undefined));
      await assert.rejects(httpGet(group.endpoints.metrics), /ECONNREFUSED/);
    } finally {
      if (!stopped) await group.stop();
    }
  });

  it('refuses a bad fabric delay before starting anything', async () => {
    const socketsBefore = sockets();
    await assert.rejects(
      startAgentGroup({
        name: 'bad',
        agents: agentSpecs(stack, 0, 2),
        fabricDelay: 'exp:soon',
        metricsHost: '127.10.255.3',
      }),
      (e: unknown) => e instanceof KosTestError && e.message.includes('"exp:soon"'),
    );
    assert.equal(sockets(), socketsBefore);
  });

  it('gives up on an unreachable apiserver after its start timeout and cleans up', async () => {
    const socketsBefore = sockets();
    await assert.rejects(
      startAgentGroup({
        name: 'lost',
        agents: [{ node: 'comp900', hostIP: nodeAddress('comp', 900), apiServer: 'http://127.2.0.250:9' }],
        fabricDelay: '1ms',
        metricsHost: '127.10.255.4',
        startTimeoutMs: 500,
      }),
      (e: unknown) => e instanceof KosTestError && /did not start in time.*0 of 1/.test(e.message),
    );
    await waitFor('no socket left open', () => (sockets() <= socketsBefore ? true : undefined));
  });
});
