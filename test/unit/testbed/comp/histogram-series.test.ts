import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../../../../src/testbed/comp/agent-metrics.js';
import { HistogramObservers, seriesObserver } from '../../../../src/testbed/comp/histogram-series.js';

type Op = 'op' | 'err';

function histogram(name: string): { h: Histogram<Op>; registry: Registry } {
  const registry = new Registry();
  registry.setDefaultLabels({ group: 'g' });
  const h = new Histogram({
    name,
    help: 'h',
    labelNames: ['op', 'err'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return { h, registry };
}

/** Every bound, just either side of it, below the first and above the last. */
const VALUES = [-1, ...LATENCY_BUCKETS.flatMap((b) => [b - 1e-9, b, b + 1e-9]), 300, 1e9];
const LABELS: { op: string; err: string }[] = [
  { op: 'CreateLocalIfc', err: 'ok' },
  { op: 'CreateLocalIfc', err: 'err' },
  { op: 'DeleteRemoteIfc', err: 'ok' },
];

describe('seriesObserver', () => {
  it("counts as prom-client's observe does: sum, count and buckets, for each label set", async () => {
    const reference = histogram('x');
    const lean = histogram('x');
    const observers = new HistogramObservers(lean.h, LATENCY_BUCKETS);
    VALUES.forEach((v, i) => {
      const labels = LABELS[i % LABELS.length] ?? { op: 'a', err: 'b' };
      reference.h.observe(labels, v);
      observers.observe(`${labels.op} ${labels.err}`, { ...labels }, v);
    });
    const text = await lean.registry.metrics();
    assert.equal(text, await reference.registry.metrics());
    assert.match(text, /^x_count\{group="g",op="DeleteRemoteIfc",err="ok"\} \d+$/m);
  });

  it('keeps what prom-client observed before it and counts on from there', async () => {
    const reference = histogram('y');
    const lean = histogram('y');
    const labels = { op: 'CreateLocalIfc', err: 'ok' };
    for (const v of [0.002, 0.3]) {
      reference.h.observe(labels, v);
      lean.h.observe(labels, v);
    }
    const observe = seriesObserver(lean.h, labels, LATENCY_BUCKETS);
    for (const v of [0.002, 7]) {
      reference.h.observe(labels, v);
      observe(v);
    }
    assert.equal(await lean.registry.metrics(), await reference.registry.metrics());
    assert.match(await lean.registry.metrics(), /^y_count\{group="g",op="CreateLocalIfc",err="ok"\} 4$/m);
  });

  it('adds no series before its first observation, and refuses what observe refuses', async () => {
    const { h, registry } = histogram('z');
    const observe = seriesObserver(h, { op: 'CreateLocalIfc', err: 'ok' }, LATENCY_BUCKETS);
    assert.doesNotMatch(await registry.metrics(), /^z_count/m);
    assert.throws(() => {
      observe(Number.NaN);
    }, /not a valid number: NaN/);
    assert.throws(() => {
      seriesObserver(h, { op: 'x', nope: 'y' } as unknown as { op: string; err: string }, LATENCY_BUCKETS)(1);
    }, /nope/);
  });
});
