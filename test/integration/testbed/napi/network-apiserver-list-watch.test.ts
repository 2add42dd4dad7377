import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig, makeInformer, type KubernetesObject } from '@kubernetes/client-node';
import { parseSamples, sumOf } from '../../../../src/testbed/exporter/prom-text.js';
import { attachment, call, GV, readWatch, withStack } from '../../../support/stack.js';

type Stack = Awaited<ReturnType<typeof withStack>>;

describe('network-apiserver lists, selectors and watches', () => {
  let stack: Stack;
  let url: string;
  const ns = 'lw';
  const coll = `${GV}/namespaces/${ns}/networkattachments`;

  before(async () => {
    stack = await withStack({
      napiCount: 1,
      napi: { bookmarkIntervalMs: 200, watchHistorySize: 50, coalesceMs: 2 },
    });
    url = stack.napis[0]?.url ?? '';
    for (let i = 0; i < 25; i++) {
      const r = await call(
        url,
        'POST',
        coll,
        attachment(`p${String(i).padStart(2, '0')}`, `comp${i % 5}`, {
          tier: i % 2 === 0 ? 'even' : 'odd',
          i: String(i),
        }),
      );
      assert.equal(r.status, 201);
    }
  });
  after(async () => {
    await stack.cleanup();
  });

  it('paginates with limit and continue at one consistent resourceVersion', async () => {
    const names: string[] = [];
    let token: string | undefined;
    const versions = new Set<string>();
    let pages = 0;
    do {
      const q = `?limit=10${token === undefined ? '' : `&continue=${encodeURIComponent(token)}`}`;
      const r = await call(url, 'GET', `${coll}${q}`);
      assert.equal(r.status, 200);
      const meta = r.json.metadata as {
        continue?: string;
        resourceVersion: string;
        remainingItemCount?: number;
      };
      versions.add(meta.resourceVersion);
      names.push(...(r.json.items as { metadata: { name: string } }[]).map((o) => o.metadata.name));
      if (pages === 0) assert.equal(meta.remainingItemCount, 15);
      token = meta.continue;
      pages++;
    } while (token !== undefined);
    assert.equal(pages, 3);
    assert.equal(names.length, 25);
    assert.equal(new Set(names).size, 25);
    assert.equal(versions.size, 1, 'every page read at the first page revision');
  });

  const selections: [string, number][] = [
    ['labelSelector=tier%3Deven', 13],
    ['labelSelector=tier%3D%3Dodd', 12],
    ['labelSelector=tier!%3Deven', 12],
    ['labelSelector=i%20in%20(1,2,3)', 3],
    ['labelSelector=i%20notin%20(1,2,3),tier', 22],
    ['labelSelector=!tier', 0],
    ['fieldSelector=spec.node%3Dcomp3', 5],
    ['fieldSelector=spec.node!%3Dcomp3,metadata.name%3Dp00', 1],
    ['fieldSelector=spec.node%3Dcomp3&labelSelector=tier%3Dodd', 3],
    ['fieldSelector=spec.node%3Dcomp3&limit=2', 2],
  ];
  for (const [query, expected] of selections) {
    it(`selects ${expected} with ${decodeURIComponent(query)}`, async () => {
      const r = await call(url, 'GET', `${coll}?${query}`);
      assert.equal(r.status, 200);
      assert.equal((r.json.items as unknown[]).length, expected);
    });
  }

  it('answers bad selectors, unknown fields and bad versions with 400', async () => {
    for (const q of [
      'labelSelector=a%20in%20()',
      'fieldSelector=spec.nope%3Dx',
      'fieldSelector=novalue',
      'resourceVersion=abc',
      'limit=-1',
    ]) {
      const r = await call(url, 'GET', `${coll}?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.json.kind, 'Status');
    }
  });

  it('watches from a version: exactly the later events, and DELETED when an object leaves the selection', async () => {
    const start = await call(url, 'GET', coll);
    const rv = (start.json.metadata as { resourceVersion: string }).resourceVersion;
    await call(url, 'POST', coll, attachment('w1', 'comp7'));
    await call(
      url,
      'PATCH',
      `${coll}/w1/status`,
      { status: { addressVNI: 9, ipv4: '10.0.0.3' } },
      'application/merge-patch+json',
    );
    await call(
      url,
      'PATCH',
      `${coll}/w1/status`,
      { status: { addressVNI: 10 } },
      'application/merge-patch+json',
    );
    const byNode = await readWatch(
      `${url}${coll}?watch=true&resourceVersion=${rv}&fieldSelector=spec.node%3Dcomp7`,
      (e) => e.length >= 3,
    );
    assert.deepEqual(
      byNode.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'MODIFIED'],
    );
    // Replayed from history, each event carries its own version of the object (the superseded
    // versions' watch lines are encoded again, see CacheEntry.releaseWatchLines).
    assert.deepEqual(
      byNode.map((e) => (e.object.status as { addressVNI?: number } | undefined)?.addressVNI),
      [undefined, 9, 10],
    );
    assert.equal(
      new Set(byNode.map((e) => (e.object.metadata as { resourceVersion: string }).resourceVersion)).size,
      3,
    );
    const byVni = await readWatch(
      `${url}${coll}?watch=true&resourceVersion=${rv}&fieldSelector=status.addressVNI%3D9`,
      (e) => e.length >= 2,
    );
    assert.deepEqual(
      byVni.map((e) => e.type),
      ['ADDED', 'DELETED'],
    );
    assert.equal((byVni[1]?.object.status as { addressVNI: number }).addressVNI, 10);
  });

  it('sends bookmarks when asked, and synthetic ADDED for the current state without a version', async () => {
    const events = await readWatch(
      `${url}${coll}?watch=true&allowWatchBookmarks=true&fieldSelector=spec.node%3Dcomp0`,
      (e) => e.some((x) => x.type === 'BOOKMARK'),
    );
    const added = events.filter((e) => e.type === 'ADDED');
    assert.equal(added.length, 5);
    const bookmark = events.find((e) => e.type === 'BOOKMARK');
    assert.ok(bookmark);
    assert.match((bookmark.object.metadata as { resourceVersion: string }).resourceVersion, /^\d+$/);
  });

  it('gives each watch its bookmarks an interval after it started, not all watches at one tick', async () => {
    const watchUrl = `${url}${coll}?watch=true&allowWatchBookmarks=true&fieldSelector=spec.node%3Dcomp1`;
    const firstBookmark = (e: { type: string }[]): boolean => e.some((x) => x.type === 'BOOKMARK');
    // A's bookmark marks where a shared tick would fall; B starts half an interval (200 ms) later.
    await readWatch(watchUrl, firstBookmark);
    await sleep(100);
    const t0 = performance.now();
    const events = await readWatch(watchUrl, firstBookmark);
    const elapsed = performance.now() - t0;
    assert.ok(firstBookmark(events), 'B got a bookmark');
    // A shared tick would have reached B ~100 ms after it started.
    assert.ok(elapsed >= 190, `B's first bookmark came ${elapsed.toFixed(0)} ms after it started`);
  });

  it('answers a watch from a version older than its history with the 410 ERROR event', async () => {
    for (let i = 0; i < 60; i++)
      await call(
        url,
        'PATCH',
        `${coll}/p00`,
        { metadata: { labels: { bump: String(i) } } },
        'application/merge-patch+json',
      );
    const events = await readWatch(`${url}${coll}?watch=true&resourceVersion=2`, (e) => e.length >= 1);
    const first = events[0];
    assert.ok(first);
    assert.equal(first.type, 'ERROR');
    assert.equal(first.object.code, 410);
    assert.equal(first.object.reason, 'Expired');
  });

  it('ends a watch after timeoutSeconds', async () => {
    const t0 = Date.now();
    const events = await readWatch(
      `${url}${coll}?watch=true&timeoutSeconds=1&resourceVersion=0&fieldSelector=spec.node%3Dnone`,
      () => false,
      5000,
    );
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 900 && elapsed < 4000, `ended after ${elapsed} ms`);
    assert.equal(events.length, 0);
  });

  it("counts an open watch's events in apiserver_watch_events_total at each scrape, and once", async () => {
    const watchEvents = async (): Promise<number> => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const name = 'apiserver_watch_events_total';
      return (
        sumOf(
          parseSamples(text, (n) => n === name),
          name,
        ) ?? 0
      );
    };
    const before = await watchEvents();
    const controller = new AbortController();
    const res = await fetch(`${url}${coll}?watch=true&fieldSelector=spec.node%3Dcomp2`, {
      signal: controller.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let lines = 0;
    while (lines < 5) {
      const { value } = await reader.read();
      lines += new TextDecoder().decode(value).split('\n').length - 1;
    }
    // The 5 synthetic ADDED events of comp2's attachments, while the watch is still open.
    const open = await watchEvents();
    assert.equal(open - before, 5);
    controller.abort();
    await reader.closed.catch(() => undefined);
    await sleep(300);
    assert.equal(await watchEvents(), open, 'a watch that ends adds only what was not counted yet');
  });

  it('keeps a client-node informer in sync with creates and deletes', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(stack.kubeconfigPath);
    const { CustomObjectsApi } = await import('@kubernetes/client-node');
    const api = kc.makeApiClient(CustomObjectsApi);
    const informer = makeInformer<KubernetesObject>(
      kc,
      coll,
      () =>
        api.listNamespacedCustomObject({
          group: 'network.example.com',
          version: 'v1alpha1',
          namespace: ns,
          plural: 'networkattachments',
        }) as never,
    );
    const names = () => new Set(informer.list().map((o) => o.metadata?.name));
    await informer.start();
    await call(url, 'POST', coll, attachment('inf1', 'comp1'));
    await waitFor(() => names().has('inf1'));
    await call(url, 'DELETE', `${coll}/inf1`);
    await waitFor(() => !names().has('inf1'));
    await informer.stop();
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
