import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LATEST_SAMPLE_QUERY,
  latestSampleByNode,
  staleNodes,
  waitForFreshSamples,
} from '../../../src/costs/fresh-samples.js';
import { KosTestError } from '../../../src/util/errors.js';

describe('the latest cost sample of each node', () => {
  it('keeps the latest time per node, whichever label names it', () => {
    const latest = latestSampleByNode([
      { labels: { node: 'comp0' }, value: 100.5 },
      { labels: { node: 'comp0', interface: 'x' }, value: 101.25 },
      { labels: { instance: 'napi0:4194' }, value: 99 },
      { labels: {}, value: 500 },
    ]);
    assert.deepEqual(
      [...latest],
      [
        ['comp0', 101_250],
        ['napi0', 99_000],
      ],
    );
  });

  const latest = new Map([
    ['comp0', 1000],
    ['comp1', 999],
  ]);
  const cases: { nodes: string[]; sinceMs: number; stale: string[] }[] = [
    { nodes: ['comp0', 'comp1'], sinceMs: 999, stale: [] },
    { nodes: ['comp0', 'comp1'], sinceMs: 1000, stale: ['comp1'] },
    { nodes: ['comp1', 'comp2', 'comp0'], sinceMs: 0, stale: ['comp2'] },
  ];
  for (const c of cases) {
    it(`${c.nodes.join(',')} since ${c.sinceMs}: stale ${c.stale.join(',') || 'none'}`, () => {
      assert.deepEqual(staleNodes(latest, c.nodes, c.sinceMs), c.stale);
    });
  }
});

/** A Prometheus answering LATEST_SAMPLE_QUERY with what `answer` gives at each poll. */
function fakePrometheus(answer: (poll: number) => Record<string, number>): {
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  polls: () => number;
} {
  let polls = 0;
  return {
    polls: () => polls,
    fetch: (_input, init) => {
      assert.equal(new URLSearchParams(init?.body as string).get('query'), LATEST_SAMPLE_QUERY);
      const result = Object.entries(answer(polls++)).map(([node, s]) => ({
        metric: { node },
        value: [0, String(s)],
      }));
      return Promise.resolve(
        new Response(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } })),
      );
    },
  };
}

describe('waiting for a fresh sample of every node of the run', () => {
  const clock = (): { now: () => number; sleep: (ms: number) => Promise<void> } => {
    let t = 10_000;
    return {
      now: () => t,
      sleep: (ms) => {
        t += ms;
        return Promise.resolve();
      },
    };
  };

  it('polls until every node has a sample since the moment given', async () => {
    const c = clock();
    const prom = fakePrometheus((poll) => ({ comp0: 10, comp1: poll < 3 ? 9 : 10.2 }));
    await waitForFreshSamples({
      prometheusUrl: 'http://127.0.0.1:9',
      nodes: ['comp0', 'comp1'],
      sinceMs: 10_000,
      timeoutMs: 5000,
      signal: new AbortController().signal,
      ...c,
      fetch: prom.fetch,
    });
    assert.equal(prom.polls(), 4);
  });

  it('gives up at the timeout with one line naming the nodes without a fresh sample', async () => {
    const c = clock();
    const prom = fakePrometheus(() => ({ comp0: 11, napi1: 5 }));
    await assert.rejects(
      waitForFreshSamples({
        prometheusUrl: 'http://127.0.0.1:9',
        nodes: ['comp0', 'napi1', 'comp7'],
        sinceMs: 10_000,
        timeoutMs: 3000,
        signal: new AbortController().signal,
        ...c,
        fetch: prom.fetch,
      }),
      (e: unknown) => {
        assert.ok(e instanceof KosTestError);
        assert.equal(e.message.split('\n').length, 1);
        assert.match(
          e.message,
          /^Prometheus has no fresh cost sample of every node of the run: 2 of 3 without a sample since 1970-01-01T00:00:10\.000Z after 3 s: napi1, comp7 \(check that cAdvisor .* http:\/\/127\.0\.0\.1:9\/targets scrapes them\)$/,
        );
        return true;
      },
    );
    assert.equal(prom.polls(), 7);
  });
});
