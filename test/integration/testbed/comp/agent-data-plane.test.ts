import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ExecReport, NetworkAttachment } from '../../../../src/api/kos-types.js';
import { opsDir } from '../../../../src/util/ops-dir.js';
import { isConflict } from '../../../../src/kube/kube-api-error.js';
import { RestClient } from '../../../../src/kube/rest-client.js';
import { ATTACHMENTS } from '../../../../src/testbed/comp/attachment.js';
import { HollowFabric } from '../../../../src/testbed/comp/fabric.js';
import { HollowAgent } from '../../../../src/testbed/comp/hollow-agent.js';
import { CleanupJournal, JOURNAL_SUFFIX } from '../../../../src/testbed/data-plane/cleanup-journal.js';
import { ip, LinuxFabric, listNetns } from '../../../../src/testbed/data-plane/linux-fabric.js';
import {
  bridgeName,
  dataPlanePrefix,
  fabricNetns,
  nodeNetns,
} from '../../../../src/testbed/data-plane/names.js';
import { dataPlaneSupport } from '../../../../src/testbed/data-plane/support.js';
import { sweepDataPlane } from '../../../../src/testbed/data-plane/sweep.js';
import { nodeAddress, nodeName } from '../../../../src/testbed/node-addresses.js';
import { withStack } from '../../../support/stack.js';

type Att = NetworkAttachment & { metadata: { name: string; namespace: string } };

const NS = 'dp';
const scripts = join(opsDir(), 'test-scripts');

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a hollow agent with the real data plane (root: namespaces, bridges, veth pairs, ping)', () => {
  const support = dataPlaneSupport();
  let stack: Awaited<ReturnType<typeof withStack>>;
  let client: RestClient;
  let dir: string;
  let prefix: string;
  let journal: CleanupJournal;
  let fabric: LinuxFabric;
  const agents: HollowAgent[] = [];
  // Test namespaces are named as a driver names them (no testbed prefix): the journal finds them.
  const testNs = (x: string): string => `kosdp${process.pid}-${x}`;

  before(async () => {
    assert.ok(support.ok, `the data plane needs root, ip and ping: ${support.ok ? '' : support.reason}`);
    stack = await withStack();
    const napi = stack.napis[0];
    assert.ok(napi);
    client = new RestClient({ server: napi.url });
    dir = await mkdtemp(join(tmpdir(), 'kos-dp-'));
    prefix = dataPlanePrefix(dir);
    await LinuxFabric.ensureNetns(fabricNetns(prefix));
    fabric = new LinuxFabric(fabricNetns(prefix), prefix);
    journal = new CleanupJournal(join(dir, `comp-group0${JOURNAL_SUFFIX}`));
    for (const i of [0, 1]) {
      const agent = new HollowAgent({
        node: nodeName('comp', i),
        hostIP: nodeAddress('comp', i),
        apiServer: napi.url,
        fabric: new HollowFabric(),
        dataPlane: { fabric, journal, allowedDirs: [scripts], execTimeoutMs: 60_000 },
      });
      agents.push(agent);
      await agent.start();
    }
  });

  after(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await fabric.stop();
    journal.close();
    await sweepDataPlane({ prefix, journalDir: dir, timeoutMs: 10_000 });
    await client.close();
    await stack.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  /** Creates an attachment on comp<node> and gives it an address as IPAM would. */
  async function attach(
    name: string,
    node: number,
    vni: number,
    ipv4: string,
    exec?: string[],
  ): Promise<void> {
    await client.create(
      { ...ATTACHMENTS, namespace: NS },
      {
        apiVersion: 'network.example.com/v1alpha1',
        kind: 'NetworkAttachment',
        metadata: { name },
        spec: {
          node: nodeName('comp', node),
          subnet: 's1',
          ...(exec === undefined
            ? {}
            : { postCreateExec: exec, postDeleteExec: [join(scripts, 'RemoveNetNS'), testNs(name)] }),
        },
      },
    );
    const ref = { ...ATTACHMENTS, namespace: NS, name };
    for (;;) {
      const cur = await client.get<Att>(ref);
      try {
        await client.update(
          { ...ref, subresource: 'status' },
          { ...cur, status: { ipv4, addressVNI: vni, lockUID: `l-${name}` } },
        );
        return;
      } catch (e: unknown) {
        if (!isConflict(e)) throw e;
      }
    }
  }

  const testByPing = (name: string, peer?: string, count = 3): string[] => [
    join(scripts, 'TestByPing'),
    '${ifname}',
    testNs(name),
    '${ipv4}/24',
    ...(peer === undefined ? [] : [peer, String(count), 'peer']),
  ];

  /** As on the wire: a zero exit status and empty output are omitted. */
  async function report(name: string): Promise<Partial<ExecReport>> {
    return waitFor(`${name}'s exec report`, async (): Promise<Partial<ExecReport> | undefined> => {
      const a = await client.get<Att>({ ...ATTACHMENTS, namespace: NS, name });
      return a.status?.postCreateExecReport ?? undefined;
    });
  }

  it('runs a setup-only test: the interface named status.ifcName moves into the test namespace with its address', async () => {
    await attach('a', 0, 77, '10.9.0.2', testByPing('a'));
    const r = await report('a');
    assert.equal(r.exitStatus ?? 0, 0, r.stdErr);
    assert.deepEqual(r.command, testByPing('a'));
    const a = await client.get<Att>({ ...ATTACHMENTS, namespace: NS, name: 'a' });
    const addr = await ip(['-n', testNs('a'), '-brief', 'addr', 'show', 'dev', a.status?.ifcName ?? '?']);
    assert.match(addr, /10\.9\.0\.2\/24/);
    assert.ok(r.startTime !== undefined && r.stopTime !== undefined && r.startTime <= r.stopTime);
  });

  it('a full test on another node pings its peer of the same VNI across the bridge', async () => {
    await attach('b', 1, 77, '10.9.0.3', testByPing('b', '10.9.0.2'));
    const r = await report('b');
    assert.equal(r.exitStatus ?? 0, 0, `${r.stdOut ?? ''}${r.stdErr ?? ''}`);
    assert.match(r.stdOut ?? '', /10\.9\.0\.2 peer answered try 1/);
  });

  it('isolation: an attachment of another VNI, same addresses, cannot reach it', async () => {
    await attach('c', 1, 78, '10.9.0.4', testByPing('c', '10.9.0.2', 1));
    const r = await report('c');
    assert.equal(r.exitStatus, 3, `${r.stdOut ?? ''}${r.stdErr ?? ''}`);
    assert.match(r.stdOut ?? '', /gave up on 10\.9\.0\.2/);
  });

  it('an attachment without postCreateExec stays hollow: no real interface', async () => {
    await attach('h', 0, 77, '10.9.0.9');
    const a = await waitFor('h implemented', async () => {
      const x = await client.get<Att>({ ...ATTACHMENTS, namespace: NS, name: 'h' });
      return (x.status?.ifcName ?? '') === '' ? undefined : x;
    });
    await assert.rejects(
      ip(['-n', nodeNetns(prefix, 'comp0'), 'link', 'show', 'dev', a.status?.ifcName ?? '?']),
    );
    assert.equal(a.status?.postCreateExecReport, undefined);
  });

  it('a command outside the allowed directories is refused with a negative exit status', async () => {
    await attach('r', 0, 77, '10.9.0.10', ['/bin/sh', '-c', 'true']);
    const r = await report('r');
    assert.equal(r.exitStatus, -1);
    assert.match(r.stdErr ?? '', /not in an allowed directory/);
  });

  it('deleting the VNI bridge breaks the next full test', async () => {
    await ip(['-n', fabricNetns(prefix), 'link', 'del', 'dev', bridgeName(77)]);
    await attach('d', 1, 77, '10.9.0.5', testByPing('d', '10.9.0.2', 1));
    const r = await report('d');
    assert.equal(r.exitStatus, 3, `${r.stdOut ?? ''}${r.stdErr ?? ''}`);
  });

  it('an address reused at once (same interface name) works on another node and on the same node', async () => {
    for (const [first, second, node] of [
      ['x1', 'y1', 1],
      ['x2', 'y2', 0],
    ] as const) {
      await attach(first, 0, 79, '10.9.1.20', testByPing(first));
      assert.equal((await report(first)).exitStatus ?? 0, 0);
      await client.delete({ ...ATTACHMENTS, namespace: NS, name: first });
      await attach(second, node, 79, '10.9.1.20', testByPing(second));
      const r = await report(second);
      assert.equal(r.exitStatus ?? 0, 0, `${second}: ${r.stdOut ?? ''}${r.stdErr ?? ''}`);
    }
  });

  it('delete: the interface goes and postDeleteExec removes the test namespace', async () => {
    assert.ok((await listNetns()).includes(testNs('b')));
    await client.delete({ ...ATTACHMENTS, namespace: NS, name: 'b' });
    await waitFor('b’s namespace gone', async () =>
      (await listNetns()).includes(testNs('b')) ? undefined : true,
    );
    const text = await readFile(journal.path, 'utf8');
    assert.match(text, /"paid"/);
  });

  it('the sweep (testbed up/down) removes the fabric and every namespace still owed, as after a kill -9', async () => {
    await Promise.all(agents.map((a) => a.stop()));
    const before = await listNetns();
    assert.ok(before.includes(testNs('a')) && before.includes(fabricNetns(prefix)));
    const swept = await sweepDataPlane({ prefix, journalDir: dir, timeoutMs: 10_000 });
    assert.deepEqual(swept.failed, []);
    const left = (await listNetns()).filter((n) => n.startsWith(prefix) || n.startsWith(testNs('')));
    assert.deepEqual(left, []);
  });
});
