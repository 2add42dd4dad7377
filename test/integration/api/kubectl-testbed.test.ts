import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeKubeProtobuf, PROTOBUF_MEDIA_TYPE } from '../../../src/api/protobuf/kube-envelope.js';
import { Testbed } from '../../../src/testbed/supervisor/testbed.js';
import { kubectl as runKubectl } from '../../support/kubectl.js';

const KOS_NS = 'example-com';

describe("everyday kubectl (Debian's kubernetes-client) against a whole testbed", () => {
  let dir: string;
  let testbed: Testbed;

  const kubectl = (...args: string[]): Promise<string> => runKubectl(testbed.kubeconfigPath, ...args);

  async function kubectlFails(...args: string[]): Promise<string> {
    try {
      await kubectl(...args);
    } catch (e: unknown) {
      return (e as { stderr: string }).stderr;
    }
    return assert.fail(`kubectl ${args.join(' ')} succeeded`);
  }

  async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) assert.fail(`not seen within ${timeoutMs} ms: ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kos-test-kubectl-'));
    // 2 comp candidates of which 1 runs an agent, napi Nodes for NNA up to 2.
    testbed = await Testbed.up({
      dir: join(dir, 'testbed'),
      config: { nca: 1, nna: 1, compNodes: 2, napiNodes: 2, prometheus: false },
    });
  });
  after(async () => {
    await testbed.down();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a namespace (kubectl sends it as protobuf), and answers protobuf to a client that asks first', async () => {
    assert.match(await kubectl('create', 'namespace', 'kubectl-e2e'), /namespace\/kubectl-e2e created/);
    const res = await fetch(`${testbed.frontUrls[0] ?? ''}/api/v1/namespaces/kubectl-e2e`, {
      headers: { accept: `${PROTOBUF_MEDIA_TYPE},application/json` },
    });
    assert.equal(res.headers.get('content-type'), PROTOBUF_MEDIA_TYPE);
    const ns = decodeKubeProtobuf(new Uint8Array(await res.arrayBuffer())) as {
      metadata: { name: string };
      status: { phase: string };
    };
    assert.deepEqual([ns.metadata.name, ns.status.phase], ['kubectl-e2e', 'Active']);
  });

  it('creates from a file with validation on, and refuses an unknown field with the server-side message', async () => {
    const manifest = (extra: Record<string, unknown>): string =>
      JSON.stringify({
        apiVersion: 'network.example.com/v1alpha1',
        kind: 'NetworkAttachment',
        metadata: { name: 'a1', namespace: 'kubectl-e2e' },
        spec: { node: 'comp0', subnet: 's1', ...extra },
      });
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    await writeFile(good, manifest({}));
    await writeFile(bad, manifest({ bogus: 1 }));
    assert.match(await kubectl('create', '-f', good, '--validate=strict'), /networkattachment.*\/a1 created/);
    const refused =
      /NetworkAttachment in version "v1alpha1" cannot be handled as a NetworkAttachment: strict decoding error: unknown field "spec.bogus"/;
    assert.match(await kubectlFails('create', '-f', bad, '--validate=strict'), refused);
    // apply of the existing object patches it: the patched object is checked the same way.
    assert.match(await kubectlFails('apply', '-f', bad), refused);
  });

  it('explains a field of a KOS kind from the OpenAPI derived from its schema', async () => {
    const out = await kubectl('explain', 'networkattachments.spec');
    assert.match(out, /KIND:\s+NetworkAttachment/);
    assert.match(out, /FIELD: spec <Object>/);
    assert.match(out, /node\s+<string>/);
    assert.match(out, /postCreateExec\s+<\[\]string>/);
  });

  it('lists the workload pods wide, on their nodes, and describes a node with its pod', async () => {
    const wide = await kubectl('get', 'pods', '-n', KOS_NS, '-o', 'wide');
    const rows = wide.trim().split('\n');
    assert.match(rows[0] ?? '', /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+/);
    const byName = new Map(rows.slice(1).map((r) => [r.split(/\s+/)[0], r.split(/\s+/)]));
    for (const [name, node] of [
      ['network-apiserver-napi0', 'napi0'],
      ['connection-agent-comp0', 'comp0'],
      ['kos-controller-manager-nctrl0', 'nctrl0'],
    ] as const) {
      const row = byName.get(name);
      assert.ok(row !== undefined, `${name} listed:\n${wide}`);
      assert.deepEqual([row[1], row[2], row[6]], ['1/1', 'Running', node]);
    }
    const node = await kubectl('describe', 'node', 'comp0');
    assert.match(node, /Non-terminated Pods:\s+\(1 in total\)/);
    assert.match(node, /example-com\s+connection-agent-comp0/);
  });

  it('scales deployment/network-apiserver, the testbed follows, and rollout status sees it done', async () => {
    await kubectl('scale', '-n', KOS_NS, 'deployment/network-apiserver', '--replicas=2');
    assert.match(
      await kubectl('rollout', 'status', '-n', KOS_NS, 'deployment/network-apiserver', '--timeout=60s'),
      /successfully rolled out/,
    );
    const napis = testbed.status().processes.filter((p) => p.purpose === 'napi' && p.running);
    assert.equal(napis.length, 2);
    await eventually('network-apiserver-napi1 Running', async () =>
      /network-apiserver-napi1\s+1\/1\s+Running/.test(await kubectl('get', 'pods', '-n', KOS_NS)),
    );
  });

  it('waits for a node to be Ready', async () => {
    assert.match(
      await kubectl('wait', '--for=condition=Ready', 'node/comp0', '--timeout=20s'),
      /node\/comp0 condition met/,
    );
  });

  it('shows a killed network-apiserver restarted in its pod (restart count 1) and in events', async () => {
    const napi1 = testbed.status().processes.find((p) => p.name === 'napi1');
    assert.ok(napi1?.running === true);
    process.kill(napi1.pid, 'SIGKILL');
    await eventually('network-apiserver-napi1 1/1 Running, 1 restart', async () =>
      /network-apiserver-napi1\s+1\/1\s+Running\s+1 \(/.test(await kubectl('get', 'pods', '-n', KOS_NS)),
    );
    const pod = JSON.parse(
      await kubectl('get', 'pod', '-n', KOS_NS, 'network-apiserver-napi1', '-o', 'json'),
    ) as { status: { containerStatuses: { lastState: { terminated?: { exitCode: number } } }[] } };
    assert.equal(pod.status.containerStatuses[0]?.lastState.terminated?.exitCode, 137);
    assert.equal(testbed.status().processes.find((p) => p.name === 'napi1')?.restarts, 1);
    // The pod and its events are written by one controller pass, but not in one request.
    await eventually('the kill as a ProcessExited event', async () =>
      /Warning\s+ProcessExited\s+pod\/network-apiserver-napi1\s+.*SIGKILL/.test(
        await kubectl('get', 'events', '-n', KOS_NS),
      ),
    );
    assert.match(
      await kubectl('get', 'events', '-n', KOS_NS),
      /Normal\s+ScalingReplicaSet\s+deployment\/network-apiserver\s+Scaled up network-apiserver from 1 to 2/,
    );
  });

  it('answers kubectl auth can-i (protobuf SelfSubjectAccessReview): allowed', async () => {
    assert.equal(
      (await kubectl('auth', 'can-i', 'create', 'networkattachments', '-n', 'kubectl-e2e')).trim(),
      'yes',
    );
  });

  it('shows kubectl top nodes from the cost exporter', async () => {
    const out = await kubectl('top', 'nodes');
    const napi0 = out.split('\n').find((l) => l.startsWith('napi0 '));
    assert.match(napi0 ?? out, /^napi0\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
  });
});
