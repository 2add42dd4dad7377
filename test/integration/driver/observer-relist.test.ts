import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { AttachmentBook } from '../../../src/driver/attachment-book.js';
import { AttachmentObserver } from '../../../src/driver/observer.js';
import { RestClient } from '../../../src/kube/rest-client.js';
import { NetworkApiserver } from '../../../src/testbed/napi/network-apiserver.js';
import { attachment, call, GV, withStack } from '../../support/stack.js';

type Stack = Awaited<ReturnType<typeof withStack>>;

const HISTORY = 5;
const MISSED = 20;
const ns = 'relist';
const coll = `${GV}/namespaces/${ns}/networkattachments`;
const nameOf = (i: number): string => `00000a-${i}`;

// The observer's watch drops (its apiserver restarts) while more happens than the apiserver's
// history holds: resuming from its last version must get 410 Gone, and only a re-list can then
// recover the attachments that became ready meanwhile.
describe('the driver’s observer re-lists after 410 Gone', () => {
  let stack: Stack;
  let client: RestClient;
  let observer: AttachmentObserver;
  const logs: string[] = [];
  const book = new AttachmentBook(
    Int32Array.from({ length: MISSED + 1 }, (_, i) => i),
    1,
    { createDueMs: () => 0, createPhase: () => 0 },
  );

  before(async () => {
    stack = await withStack({ napiCount: 2, napi: { watchHistorySize: HISTORY, coalesceMs: 2 } });
    client = new RestClient({ server: stack.napis[0]?.url ?? '' });
    observer = new AttachmentObserver({
      client,
      namespace: ns,
      labelSelector: 'app=attachment-tput-driver',
      book,
      clock: { now: () => performance.now() },
      log: (m) => logs.push(m),
    });
  });
  after(async () => {
    await observer.stop();
    await client.close();
    await stack.cleanup();
  });

  async function makeReady(url: string, i: number): Promise<void> {
    const created = await call(url, 'POST', coll, {
      ...attachment(nameOf(i), 'comp0', { app: 'attachment-tput-driver' }),
    });
    assert.equal(created.status, 201);
    const object = created.json as { metadata: Record<string, unknown> };
    const ready = await call(url, 'PUT', `${coll}/${nameOf(i)}/status`, {
      ...object,
      status: { ipv4: `10.0.0.${i + 2}`, ifcName: `kos${i}` },
    });
    assert.equal(ready.status, 200);
  }

  it('stamps every attachment that became ready while its watch was gone', async () => {
    await observer.start();
    const [first, second] = stack.napis;
    assert.ok(first !== undefined && second !== undefined);
    await makeReady(first.url, 0);
    const deadline = (): number => performance.now() + 15_000;
    for (const until = deadline(); Number.isNaN(book.ready[0]) && performance.now() < until;) await sleep(20);
    assert.ok(!Number.isNaN(book.ready[0]), 'the live watch stamps the first attachment');

    await first.stop();
    for (let i = 1; i <= MISSED; i++) await makeReady(second.url, i);
    stack.napis[0] = await NetworkApiserver.start({
      name: first.name,
      host: first.host,
      port: first.port,
      etcdEndpoints: stack.etcd.clientUrls,
      watchHistorySize: HISTORY,
      log: () => undefined,
    });

    const missing = (): number[] =>
      Array.from({ length: MISSED }, (_, k) => k + 1).filter((i) => Number.isNaN(book.ready[i]));
    for (const until = deadline(); missing().length > 0 && performance.now() < until;) await sleep(50);
    assert.deepEqual(missing(), [], `not stamped after the restart; log: ${logs.join(' | ')}`);
    assert.ok(
      logs.some((m) => m.includes('410 Gone, re-listing')),
      `the recovery went through a re-list; log: ${logs.join(' | ')}`,
    );
    for (let i = 1; i <= MISSED; i++) assert.ok(!Number.isNaN(book.addressed[i]), `address of ${i} stamped`);
  });
});
