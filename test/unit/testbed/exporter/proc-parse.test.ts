import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  costMemory,
  descendantsOf,
  parseChildren,
  parseClockTicks,
  parseKbFields,
  parseProcMemory,
  parseProcStat,
  treeCpuTicks,
  type ProcStat,
} from '../../../../src/testbed/exporter/proc-parse.js';

/** A stat line with the given command name and CPU fields, all other fields plausible. */
function statLine(pid: number, comm: string, ppid: number, cpu: [number, number, number, number]): string {
  const [u, s, cu, cs] = cpu;
  return `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 1000 0 0 0 ${u} ${s} ${cu} ${cs} 20 0 11 0 777 1234567 9000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`;
}

describe('/proc/<pid>/stat parsing', () => {
  it('reads this process’s real stat file', () => {
    const stat = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    assert.ok(stat);
    assert.equal(stat.pid, process.pid);
    assert.equal(stat.ppid, process.ppid);
    assert.ok(stat.utimeTicks + stat.stimeTicks > 0, 'node has used some CPU by now');
    assert.ok(stat.startTimeTicks > 0);
  });

  const cases: { comm: string; why: string }[] = [
    { comm: 'node', why: 'plain name' },
    { comm: 'my prog', why: 'a space' },
    { comm: 'a) b (c', why: 'parentheses inside the name' },
    { comm: ') S 1 2 3', why: 'a name that looks like fields' },
    { comm: '', why: 'empty name' },
  ];
  for (const c of cases) {
    it(`takes the command name up to the last ')' (${c.why})`, () => {
      const stat = parseProcStat(statLine(4242, c.comm, 7, [150, 25, 3, 2]));
      assert.deepEqual(stat, {
        pid: 4242,
        comm: c.comm,
        state: 'S',
        ppid: 7,
        utimeTicks: 150,
        stimeTicks: 25,
        cutimeTicks: 3,
        cstimeTicks: 2,
        startTimeTicks: 777,
      });
    });
  }

  for (const text of [
    '',
    'garbage',
    '12 (x',
    '12 (x) S',
    'x (y) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19',
  ]) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.equal(parseProcStat(text), undefined);
    });
  }
});

describe('process tree CPU', () => {
  it('adds own and waited-for children’s ticks of every member', () => {
    const stats = [statLine(1, 'a', 0, [10, 5, 100, 50]), statLine(2, 'b', 1, [7, 3, 0, 0])].map(
      (l) => parseProcStat(l) as ProcStat,
    );
    assert.equal(treeCpuTicks(stats), 10 + 5 + 100 + 50 + 7 + 3);
  });

  const tree = [
    [10, 1],
    [11, 10],
    [12, 10],
    [13, 11],
    [20, 1],
    [21, 20],
  ].map(([pid, ppid]) => ({ pid, ppid }) as ProcStat);
  const cases: { root: number; want: number[] }[] = [
    { root: 10, want: [10, 11, 12, 13] },
    { root: 11, want: [11, 13] },
    { root: 13, want: [13] },
    { root: 20, want: [20, 21] },
    { root: 99, want: [99] },
  ];
  for (const c of cases) {
    it(`finds the descendants of ${c.root} (breadth first)`, () => {
      assert.deepEqual(descendantsOf(c.root, tree), c.want);
    });
  }

  it('parses children files and CLK_TCK', () => {
    assert.deepEqual(parseChildren('123 456 \n'), [123, 456]);
    assert.deepEqual(parseChildren(''), []);
    assert.equal(parseClockTicks('100\n'), 100);
    assert.equal(parseClockTicks('undefined\n'), undefined);
    assert.equal(parseClockTicks('0'), undefined);
  });
});

describe('/proc memory parsing and the working-set choice', () => {
  it('reads this process’s real status and smaps_rollup', () => {
    const m = parseProcMemory(
      readFileSync('/proc/self/status', 'utf8'),
      readFileSync('/proc/self/smaps_rollup', 'utf8'),
    );
    assert.ok(m.residentBytes > 10 * 1024 * 1024, `node's RSS ${m.residentBytes}`);
    assert.ok(m.anonBytes > 0 && m.anonBytes <= m.residentBytes);
    assert.ok(m.pssBytes !== undefined && m.pssBytes > 0 && m.pssBytes <= m.residentBytes + 1024 * 1024);
    const cost = costMemory(m);
    assert.equal(cost.rssBytes, m.anonBytes);
    assert.equal(cost.workingSetBytes, m.pssBytes);
  });

  const status =
    'Name:\tnode\nVmRSS:\t   40000 kB\nRssAnon:\t    6000 kB\nRssFile:\t   33000 kB\nRssShmem:\t    1000 kB\n';
  const cases: {
    why: string;
    status: string;
    rollup: string | undefined;
    want: { rssBytes: number; workingSetBytes: number };
  }[] = [
    {
      why: 'Pss is the working set when smaps_rollup is readable',
      status,
      rollup: 'Rss:   41000 kB\nPss:   12000 kB\nPss_Anon:  6000 kB\n',
      want: { rssBytes: 6000 * 1024, workingSetBytes: 12000 * 1024 },
    },
    {
      why: 'without smaps_rollup: RssAnon + RssShmem',
      status,
      rollup: undefined,
      want: { rssBytes: 6000 * 1024, workingSetBytes: 7000 * 1024 },
    },
    {
      why: 'a kernel without RssAnon: all of VmRSS is anonymous',
      status: 'VmRSS:\t 5000 kB\n',
      rollup: undefined,
      want: { rssBytes: 5000 * 1024, workingSetBytes: 5000 * 1024 },
    },
    {
      why: 'a kernel thread has no memory lines',
      status: 'Name:\tkthreadd\nState:\tS (sleeping)\n',
      rollup: '',
      want: { rssBytes: 0, workingSetBytes: 0 },
    },
  ];
  for (const c of cases) {
    it(c.why, () => {
      assert.deepEqual(costMemory(parseProcMemory(c.status, c.rollup)), c.want);
    });
  }

  it('reads kB fields as bytes and ignores other lines', () => {
    const fields = parseKbFields('VmRSS:\t  2 kB\nThreads:\t11\nbad line\nPss: 3 kB');
    assert.deepEqual(
      [...fields],
      [
        ['VmRSS', 2048],
        ['Pss', 3072],
      ],
    );
  });
});
