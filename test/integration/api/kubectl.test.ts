import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubectl } from '../../support/kubectl.js';
import { attachment, call, GV, withStack } from '../../support/stack.js';

const ns = 'kubectl';

describe('the real kubectl against the testbed kubeconfig', () => {
  let stack: Awaited<ReturnType<typeof withStack>>;
  let url: string;
  const coll = `${GV}/namespaces/${ns}/networkattachments`;

  before(async () => {
    stack = await withStack();
    url = stack.napis[0]?.url ?? '';
    for (const name of ['k1', 'k2'])
      assert.equal((await call(url, 'POST', coll, attachment(name, 'comp5'))).status, 201);
  });
  after(async () => {
    await stack.cleanup();
  });

  it('gets attachments as a table with the server-side columns', async () => {
    const out = await kubectl(stack.kubeconfigPath, 'get', 'networkattachments', '-n', ns);
    const lines = out.trim().split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+SUBNET\s+NODE\s+IPV4\s+AGE$/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3)),
      [
        ['k1', 's1', 'comp5'],
        ['k2', 's1', 'comp5'],
      ],
    );
  });

  it('gets one object as JSON, and by short name', async () => {
    const obj = JSON.parse(
      await kubectl(stack.kubeconfigPath, 'get', 'na', 'k1', '-n', ns, '-o', 'json'),
    ) as {
      spec: { node: string };
      extendedMetadata: { writes: { section: string }[] };
    };
    assert.equal(obj.spec.node, 'comp5');
    assert.equal(obj.extendedMetadata.writes[0]?.section, 'spec');
  });

  it('labels an object, and selects by that label', async () => {
    await kubectl(stack.kubeconfigPath, 'label', 'networkattachment', 'k1', '-n', ns, 'tier=gold');
    const stored = await call(url, 'GET', `${coll}/k1`);
    assert.deepEqual((stored.json.metadata as { labels: unknown }).labels, { tier: 'gold' });
    const out = await kubectl(stack.kubeconfigPath, 'get', 'na', '-n', ns, '-l', 'tier=gold', '-o', 'name');
    assert.equal(out.trim(), 'networkattachment.network.example.com/k1');
  });

  it('watches with get -w and sees a change made elsewhere', async () => {
    const child = spawn('kubectl', ['get', 'na', '-n', ns, '-w', '--output-watch-events'], {
      env: { ...process.env, KUBECONFIG: stack.kubeconfigPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await waitFor(
        () => out.includes('k2'),
        () => out,
      );
      assert.equal((await call(url, 'POST', coll, attachment('k3', 'comp6'))).status, 201);
      await waitFor(
        () => /ADDED\s+k3\s+s1\s+comp6/.test(out),
        () => out,
      );
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('explains a field, and refuses an unknown field in create -f, from the OpenAPI the napi serves', async () => {
    const explained = await kubectl(stack.kubeconfigPath, 'explain', 'networkattachments.spec.node');
    assert.match(explained, /FIELD: node <string>/);
    const file = join(dirname(stack.kubeconfigPath), 'bogus.json');
    await writeFile(
      file,
      JSON.stringify({
        ...attachment('k9', 'comp1'),
        metadata: { name: 'k9', namespace: ns },
        spec: { node: 'comp1', subnet: 's1', bogus: true },
      }),
    );
    await assert.rejects(kubectl(stack.kubeconfigPath, 'create', '-f', file), (e: { stderr: string }) => {
      assert.match(e.stderr, /strict decoding error: unknown field "spec.bogus"/);
      return true;
    });
  });

  it('deletes an object', async () => {
    const out = await kubectl(stack.kubeconfigPath, 'delete', 'networkattachment', 'k2', '-n', ns);
    assert.match(out, /"k2" deleted/);
    assert.equal((await call(url, 'GET', `${coll}/k2`)).status, 404);
  });
});

async function waitFor(cond: () => boolean, show: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`not seen in time; output so far:\n${show()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
