import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driveOptionsFromFlags, durationFlag } from '../../../src/cli/commands/drive-flags.js';
import { progressLine } from '../../../src/cli/drive-progress.js';
import { kubeconfigPath } from '../../../src/cli/kubeconfig-path.js';
import { parseDriveOptions } from '../../../src/driver/run-drive.js';
import { KosTestError } from '../../../src/util/errors.js';

describe('drive flags', () => {
  const durations = [
    { text: '15s', want: 15_000 },
    { text: '500ms', want: 500 },
    { text: '2m', want: 120_000 },
    { text: '0', want: 0 },
    { text: '1.5s', want: 1500 },
  ];
  for (const c of durations)
    it(`duration ${c.text} = ${c.want} ms`, () => {
      assert.equal(durationFlag('--x', c.text), c.want);
    });
  for (const bad of ['15', 'soon', '-1s', '']) {
    it(`duration ${JSON.stringify(bad)} is refused naming the flag`, () => {
      assert.throws(
        () => durationFlag('--wait-after-delete', bad),
        (e: unknown) => e instanceof KosTestError && e.message.startsWith('bad --wait-after-delete'),
      );
    });
  }
  it('flags map onto the options, and unset flags take the documented defaults', () => {
    const o = parseDriveOptions(
      driveOptionsFromFlags({
        rate: '250',
        shard: '1/4',
        opsDistribution: 'poisson',
        singleNetwork: true,
        waitAfterCreate: '30s',
      }),
    );
    assert.equal(o.rate, 250);
    assert.deepEqual(o.shard, { index: 1, count: 4 });
    assert.equal(o.opsDistribution, 'poisson');
    assert.equal(o.singleNetwork, true);
    assert.equal(o.waitAfterCreate, 30_000);
    const d = parseDriveOptions({});
    assert.deepEqual(
      [
        d.numNets,
        d.topNetSize,
        d.exponent,
        d.bias,
        d.numAttachments,
        d.rate,
        d.nodeLabelSelector,
        d.metricsPort,
        d.waitAfterDelete,
        d.baseAddress,
        d.subnetSizeFactor,
      ],
      [10, 100, 1, 0, 450, 10, 'kos-role/comp=true', 9376, 15_000, '172.24.0.0', 1],
    );
  });
  const bad = [
    { input: { rate: 0 }, what: /^bad drive option rate: 0/ },
    { input: { numNets: 1.5 }, what: /^bad drive option numNets: 1.5/ },
    { input: { nodeLabelSelector: 'a in (' }, what: /^bad drive option nodeLabelSelector/ },
    { input: { baseAddress: '300.1.1.1' }, what: /^bad drive option baseAddress: "300.1.1.1"/ },
    { input: { shard: { index: 3, count: 3 } }, what: /^bad drive option shard/ },
  ];
  for (const c of bad) {
    it(`option ${JSON.stringify(c.input)} is refused in one line`, () => {
      assert.throws(
        () => parseDriveOptions(c.input),
        (e: unknown) => e instanceof KosTestError && c.what.test(e.message) && !e.message.includes('\n'),
      );
    });
  }
});

describe('progress and kubeconfig resolution', () => {
  it('the progress line shows phase, ops, rate, in flight (and how many wait for a connection), fulfilled, p99 and the ETA', () => {
    assert.equal(
      progressLine({
        phase: 'cruise',
        opsDone: 120,
        opsPlanned: 900,
        achievedRate: 9.96,
        inFlight: 3,
        waiting: 0,
        fulfilled: 110,
        p99Ms: 42.25,
        etaS: 95.4,
      }),
      'cruise   ops 120/900  10.0 ops/s  in flight 3  fulfilled 110  p99 42.3 ms  ETA 1m35s',
    );
    assert.equal(
      progressLine({
        phase: 'cruise',
        opsDone: 5000,
        opsPlanned: 9000,
        achievedRate: 1000,
        inFlight: 900,
        waiting: 836,
        fulfilled: 4100,
        p99Ms: 1500,
        etaS: 0,
      }),
      'cruise   ops 5000/9000  1000.0 ops/s  in flight 900 (836 waiting for a connection)  fulfilled 4100  p99 1500.0 ms  ETA 0s',
    );
    assert.match(
      progressLine({
        phase: 'setup',
        opsDone: 0,
        opsPlanned: 9,
        achievedRate: 0,
        inFlight: 0,
        waiting: 0,
        fulfilled: 0,
        p99Ms: null,
        etaS: null,
      }),
      /p99 -$/,
      'no ETA before the schedule starts',
    );
  });
  it('--kubeconfig wins over $KUBECONFIG, whose first entry wins over the defaults', () => {
    assert.equal(kubeconfigPath('/a/b', { KUBECONFIG: '/c' }), '/a/b');
    assert.equal(kubeconfigPath(undefined, { KUBECONFIG: '/c:/d' }), '/c');
  });
});
