import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cgroupMemory,
  isSafeCgroupName,
  parseFlatKeyed,
  parseMountInfo,
  parseProcCgroup,
  parseSingleNumber,
  v1CgroupDir,
} from '../../../../src/testbed/exporter/cgroup-files.js';

/** What a Debian 12 sandbox shows: separate cpu and cpuacct hierarchies, a nested memory cgroup. */
const SANDBOX_MOUNTINFO = [
  '30 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '32 30 0:28 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '33 30 0:29 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '34 30 0:30 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const SANDBOX_CGROUP = [
  '9:name=systemd:/',
  '4:memory:/process_api/40b1',
  '2:cpuacct:/',
  '1:cpu:/',
  '0::/',
].join('\n');

/** A container: cpu and cpuacct co-mounted, each hierarchy showing only the container's subtree. */
const CONTAINER_MOUNTINFO = [
  '40 35 0:40 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct',
  '41 35 0:41 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory',
].join('\n');
const CONTAINER_CGROUP = ['5:cpu,cpuacct:/docker/abc/inner', '3:memory:/docker/abc', '0::/'].join('\n');

describe('cgroup v1 hierarchy discovery', () => {
  it('parses mountinfo, with octal escapes in paths', () => {
    const [m] = parseMountInfo('50 1 0:5 /a\\040b /mnt/x\\040y rw - cgroup cgroup rw,memory,nosuid');
    assert.deepEqual(m, {
      root: '/a b',
      mountPoint: '/mnt/x y',
      fsType: 'cgroup',
      superOptions: ['rw', 'memory', 'nosuid'],
    });
  });

  it('parses /proc/<pid>/cgroup lines', () => {
    assert.deepEqual(parseProcCgroup(SANDBOX_CGROUP).slice(1, 3), [
      { id: 4, controllers: ['memory'], path: '/process_api/40b1' },
      { id: 2, controllers: ['cpuacct'], path: '/' },
    ]);
    assert.deepEqual(parseProcCgroup('0::/user.slice\n'), [{ id: 0, controllers: [], path: '/user.slice' }]);
  });

  const cases: {
    why: string;
    mountinfo: string;
    cgroup: string;
    controller: string;
    want: string | undefined;
  }[] = [
    {
      why: 'cpuacct mounted alone, root cgroup',
      mountinfo: SANDBOX_MOUNTINFO,
      cgroup: SANDBOX_CGROUP,
      controller: 'cpuacct',
      want: '/sys/fs/cgroup/cpuacct',
    },
    {
      why: 'memory in a nested sandbox cgroup',
      mountinfo: SANDBOX_MOUNTINFO,
      cgroup: SANDBOX_CGROUP,
      controller: 'memory',
      want: '/sys/fs/cgroup/memory/process_api/40b1',
    },
    {
      why: 'co-mounted cpu,cpuacct with a container subtree as mount root',
      mountinfo: CONTAINER_MOUNTINFO,
      cgroup: CONTAINER_CGROUP,
      controller: 'cpuacct',
      want: '/sys/fs/cgroup/cpu,cpuacct/inner',
    },
    {
      why: 'our cgroup is the container root itself',
      mountinfo: CONTAINER_MOUNTINFO,
      cgroup: CONTAINER_CGROUP,
      controller: 'memory',
      want: '/sys/fs/cgroup/memory',
    },
    {
      why: 'cgroup v2 only: no v1 controller',
      mountinfo: '30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate',
      cgroup: '0::/user.slice/session-1.scope',
      controller: 'cpuacct',
      want: undefined,
    },
    {
      why: 'bound in /proc/self/cgroup but not mounted here',
      mountinfo: '',
      cgroup: SANDBOX_CGROUP,
      controller: 'memory',
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(`finds our ${c.controller} cgroup directory: ${c.why}`, () => {
      assert.equal(v1CgroupDir(parseMountInfo(c.mountinfo), parseProcCgroup(c.cgroup), c.controller), c.want);
    });
  }
});

describe('cgroup v1 counters', () => {
  const stat = parseFlatKeyed(
    'cache 14348288\nrss 1691648\ninactive_file 1503232\ntotal_cache 20000000\ntotal_rss 5000000\ntotal_inactive_file 3000000\nbad\n',
  );

  it('parses memory.stat', () => {
    assert.equal(stat.get('total_rss'), 5_000_000);
    assert.equal(stat.get('cache'), 14_348_288);
    assert.equal(stat.has('bad'), false);
  });

  const cases: { why: string; usage: number; stat: Map<string, number>; want: object }[] = [
    {
      why: 'working set = usage - total_inactive_file, rss = total_rss',
      usage: 25_000_000,
      stat,
      want: { workingSetBytes: 22_000_000, rssBytes: 5_000_000 },
    },
    {
      why: 'never negative',
      usage: 1_000_000,
      stat,
      want: { workingSetBytes: 0, rssBytes: 5_000_000 },
    },
    {
      why: 'falls back to the non-hierarchical keys',
      usage: 10_000,
      stat: new Map([
        ['inactive_file', 4000],
        ['rss', 3000],
      ]),
      want: { workingSetBytes: 6000, rssBytes: 3000 },
    },
  ];
  for (const c of cases) {
    it(c.why, () => {
      assert.deepEqual(cgroupMemory(c.usage, c.stat), c.want);
    });
  }

  it('parses single-number files', () => {
    assert.equal(parseSingleNumber('1234567890123\n'), 1234567890123);
    assert.equal(parseSingleNumber('max\n'), undefined);
    assert.equal(parseSingleNumber(''), undefined);
  });

  for (const [name, ok] of [
    ['comp-group0', true],
    ['netcd0', true],
    ['test-123_a.b', true],
    ['', false],
    ['..', false],
    ['a/b', false],
    ['-x', false],
    ['x'.repeat(101), false],
  ] as const) {
    it(`${ok ? 'accepts' : 'refuses'} the cgroup name ${JSON.stringify(name.slice(0, 12))}`, () => {
      assert.equal(isSafeCgroupName(name), ok);
    });
  }
});
