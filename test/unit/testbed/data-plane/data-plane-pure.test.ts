import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { owedCommands } from '../../../../src/testbed/data-plane/cleanup-journal.js';
import { prepareExec } from '../../../../src/testbed/data-plane/exec-command.js';
import { dataPlaneSupport } from '../../../../src/testbed/data-plane/support.js';
import {
  bridgeName,
  dataPlanePrefix,
  hostEndName,
  nodeNetns,
} from '../../../../src/testbed/data-plane/names.js';

describe('a post-create command as the agent prepares it (KOS’s restricted expansion)', () => {
  const vars = { ifname: 'kos0609000a004d', ipv4: '10.9.0.10', mac: '06:09:00:0a:00:4d' };
  const dirs = ['/opt/kos-test/ops/test-scripts', '/usr/local/kos/bin/'];
  const cases: { what: string; command: string[]; want: ReturnType<typeof prepareExec> }[] = [
    {
      what: 'expands ${ifname}, ${ipv4} and ${mac}, also inside an argument',
      command: ['/usr/local/kos/bin/TestByPing', '${ifname}', 'r-1', '${ipv4}/24', 'x${mac}'],
      want: {
        argv: [
          '/usr/local/kos/bin/TestByPing',
          'kos0609000a004d',
          'r-1',
          '10.9.0.10/24',
          'x06:09:00:0a:00:4d',
        ],
      },
    },
    {
      what: 'refuses an unknown variable',
      command: ['/usr/local/kos/bin/TestByPing', '${home}'],
      want: { problem: 'unknown variable ${home} in argument "${home}"' },
    },
    {
      what: 'refuses a program outside the allowed directories',
      command: ['/bin/sh', '-c', 'true'],
      want: {
        problem:
          'program /bin/sh is not in an allowed directory (/opt/kos-test/ops/test-scripts, /usr/local/kos/bin/)',
      },
    },
    {
      what: 'refuses a relative program and a path that climbs out',
      command: ['/usr/local/kos/bin/../../../bin/sh'],
      want: {
        problem:
          'program /usr/local/kos/bin/../../../bin/sh is not in an allowed directory (/opt/kos-test/ops/test-scripts, /usr/local/kos/bin/)',
      },
    },
    { what: 'refuses an empty command', command: [], want: { problem: 'empty command' } },
  ];
  for (const c of cases) {
    it(c.what, () => {
      assert.deepEqual(prepareExec(c.command, vars, dirs), c.want);
    });
  }

  it("runs a program named in KOS's directory from where the node really keeps it", () => {
    const installed = { '/usr/local/kos/bin': '/opt/kos-test/ops/test-scripts' };
    assert.deepEqual(prepareExec(['/usr/local/kos/bin/TestByPing', '${ifname}'], vars, dirs, installed), {
      argv: ['/opt/kos-test/ops/test-scripts/TestByPing', vars.ifname],
    });
    assert.deepEqual(prepareExec(['/opt/kos-test/ops/test-scripts/RemoveNetNS'], vars, dirs, installed), {
      argv: ['/opt/kos-test/ops/test-scripts/RemoveNetNS'],
    });
  });
});

describe('the journal of owed post-delete commands', () => {
  it('owes what was journaled and not paid, in order, skipping a torn last line', () => {
    const text = [
      '{"owe":"u1","argv":["RemoveNetNS","r-1"]}',
      '{"owe":"u2","argv":["RemoveNetNS","r-2"]}',
      '{"paid":"u1"}',
      '{"owe":"u3","argv":["RemoveNetNS","r-3"]}',
      '{"owe":"u4","ar',
    ].join('\n');
    assert.deepEqual(owedCommands(text), [
      ['RemoveNetNS', 'r-2'],
      ['RemoveNetNS', 'r-3'],
    ]);
  });
});

describe('data-plane names', () => {
  it('fit Linux’s 15-character interface names and carry the testbed’s prefix', () => {
    const prefix = dataPlanePrefix('/work/x/.kos-test/testbed');
    assert.match(prefix, /^kt[0-9a-f]{6}$/);
    assert.notEqual(prefix, dataPlanePrefix('/work/y/.kos-test/testbed'));
    assert.equal(bridgeName(0x1fffff), 'kb1fffff');
    assert.equal(hostEndName('comp12', 'kos0609000a004d').length, 15);
    assert.notEqual(hostEndName('comp1', 'kos0609000a004d'), hostEndName('comp2', 'kos0609000a004d'));
    assert.equal(nodeNetns(prefix, 'comp3'), `${prefix}-comp3`);
  });
});

describe('whether the testbed can have a data plane', () => {
  it('says why not, in words a user can act on', () => {
    const s = dataPlaneSupport({ PATH: '/nonexistent' });
    assert.ok(!s.ok);
    assert.match(
      s.reason,
      /^not root \(uid \d+\): needs CAP_NET_ADMIN$|^no ip on PATH \(apt-get install -y iproute2\)$/,
    );
  });
});
