import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { machineShare, parseProcStatCpu } from '../../../bench/machine-share.js';

const stat = (user: number, idle: number, steal: number): string =>
  `cpu  ${user} 0 100 ${idle} 50 0 20 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1 2\n`;

describe('the machine share of a benchmark, from /proc/stat', () => {
  it('reads the aggregate cpu line: idle includes iowait; guest time is not counted twice', () => {
    assert.deepEqual(parseProcStatCpu(stat(1000, 5000, 30)), { total: 6200, idle: 5050, steal: 30 });
  });

  const cases = [
    { name: 'an idle machine', after: stat(1000, 5400, 30), busy: 0, steal: 0 },
    { name: 'half busy, no steal', after: stat(1200, 5200, 30), busy: 50, steal: 0 },
    { name: 'a quarter stolen', after: stat(1100, 5200, 130), busy: 50, steal: 25 },
  ];
  for (const c of cases) {
    it(`${c.name}: busy ${c.busy}%, stolen ${c.steal}%`, () => {
      const share = machineShare(parseProcStatCpu(stat(1000, 5000, 30)), parseProcStatCpu(c.after));
      assert.deepEqual(share, { busyPct: c.busy, stealPct: c.steal });
    });
  }

  it('names the bad line rather than returning NaN', () => {
    assert.throws(() => parseProcStatCpu('cpu  1 2 x\n'), /unexpected \/proc\/stat cpu line/);
    assert.throws(() => parseProcStatCpu('intr 1\n'), /no aggregate cpu line/);
  });
});
