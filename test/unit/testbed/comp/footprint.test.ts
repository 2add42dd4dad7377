import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { footprint } from '../../../../src/testbed/comp/measure-footprint.js';

const MiB = 2 ** 20;

describe('footprint', () => {
  it('divides the growth by the agents and the server growth by the watches', () => {
    const f = footprint(
      600,
      { rssBytes: 60 * MiB, heapUsedBytes: 10 * MiB, externalBytes: MiB, serverRssBytes: 100 * MiB },
      { rssBytes: 120 * MiB, heapUsedBytes: 40 * MiB, externalBytes: MiB, serverRssBytes: 115 * MiB },
      { startMs: 4321.6, watches: 600, idleCpuMicros: 100_000, idleWallMs: 10_000 },
    );
    assert.deepEqual(f, {
      agents: 600,
      startMs: 4322,
      watches: 600,
      rssPerAgentKiB: 102.4,
      heapPerAgentKiB: 51.2,
      externalPerAgentKiB: 0,
      serverRssPerWatchKiB: 25.6,
      idleCpuPercentOfCore: 1,
    });
  });

  it('leaves the server figure out without a server pid', () => {
    const s = { rssBytes: 0, heapUsedBytes: 0, externalBytes: 0, serverRssBytes: undefined };
    const f = footprint(1, s, s, { startMs: 0, watches: 1, idleCpuMicros: 0, idleWallMs: 1 });
    assert.equal(f.serverRssPerWatchKiB, undefined);
  });
});
