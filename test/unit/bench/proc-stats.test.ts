import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStatTicks, parseStatTicksWithReaped, treeCpuSeconds } from '../../../bench/proc-stats.js';

describe("a process's CPU ticks from /proc/<pid>/stat", () => {
  // Fields 14-17: utime 11, stime 7, cutime 30, cstime 2; the name holds a space and a ')'.
  const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 900 0 0 0 11 7 30 2 20 0 11 0 5 6 7';
  const cases = [
    { what: 'utime + stime', parse: parseStatTicks, want: 18 },
    { what: 'with the children it reaped', parse: parseStatTicksWithReaped, want: 50 },
  ];
  for (const c of cases) {
    it(c.what, () => {
      assert.equal(c.parse(stat), c.want);
    });
  }

  it('a truncated line is an error, not zero', () => {
    assert.throws(() => parseStatTicksWithReaped('1 (x) S 1 2 3'), /unexpected/);
  });

  it("this process's tree counts at least this process's own CPU", () => {
    const own = process.cpuUsage();
    assert.ok(treeCpuSeconds(process.pid) >= Math.floor((own.user + own.system) / 1e4) / 100 - 0.02);
  });
});
