/** RestClient's leanRequests against a real napi and etcd: the same answers as through undici. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NetworkAttachment } from '../../../src/api/kos-types.js';
import { isConflict, isNotFound } from '../../../src/kube/kube-api-error.js';
import { RestClient } from '../../../src/kube/rest-client.js';
import { ATTACHMENTS } from '../../../src/testbed/comp/attachment.js';
import { withStack } from '../../support/stack.js';

type Att = NetworkAttachment & { metadata: { name: string; namespace: string; resourceVersion: string } };

describe('RestClient with leanRequests', () => {
  let stack: Awaited<ReturnType<typeof withStack>>;
  let lean: RestClient;
  let plain: RestClient;

  before(async () => {
    stack = await withStack();
    const url = stack.napis[0]?.url ?? '';
    lean = new RestClient({ server: url, connections: 1, leanRequests: true });
    plain = new RestClient({ server: url, connections: 1 });
  });

  after(async () => {
    await lean.close();
    await plain.close();
    await stack.cleanup();
  });

  it('creates, reads, lists, updates and deletes as the undici path does', async () => {
    const ref = { ...ATTACHMENTS, namespace: 'lean' };
    const made = await lean.create<Att>(ref, {
      apiVersion: 'network.example.com/v1alpha1',
      kind: 'NetworkAttachment',
      metadata: { name: 'a1' },
      spec: { node: 'comp0', subnet: 's1' },
    });
    const one = { ...ref, name: 'a1' };
    assert.deepEqual(await lean.get<Att>(one), await plain.get<Att>(one));
    const list = await lean.list<Att>(ref);
    assert.deepEqual(
      list.items.map((a) => a.metadata.name),
      ['a1'],
    );
    const updated = await lean.update<Att>(
      { ...one, subresource: 'status' },
      { ...made, status: { ...made.status, hostIP: '127.10.0.1' } },
    );
    assert.equal(updated.status?.hostIP, '127.10.0.1');
    // The stale resourceVersion is refused with the server's Status, as a KubeApiError.
    await assert.rejects(
      lean.update<Att>({ ...one, subresource: 'status' }, { ...made, status: { hostIP: '127.10.0.2' } }),
      (e: unknown) => isConflict(e),
    );
    await lean.delete(one);
    await assert.rejects(lean.get<Att>(one), (e: unknown) => isNotFound(e));
  });

  it('answers a plain-text endpoint with its text', async () => {
    const text = await lean.request<string>('GET', '/metrics');
    assert.equal(typeof text, 'string');
    assert.match(text, /^# HELP /m);
  });
});
