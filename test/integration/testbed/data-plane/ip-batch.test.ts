import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FailureLines, IpBatch } from '../../../../src/testbed/data-plane/ip-batch.js';
import { ip } from '../../../../src/testbed/data-plane/linux-fabric.js';
import { dataPlaneSupport } from '../../../../src/testbed/data-plane/support.js';

describe("ip's stderr in batch mode, read line by line", () => {
  const cases: { what: string; lines: string[]; want: ({ line: number; message: string } | undefined)[] }[] =
    [
      {
        what: 'a marker names the failed line and carries the messages before it',
        lines: ['RTNETLINK answers: File exists', 'Command failed -:3'],
        want: [undefined, { line: 3, message: 'RTNETLINK answers: File exists' }],
      },
      {
        what: 'messages of two lines are joined; the next marker starts afresh',
        lines: ['Error: a', 'more', 'Command failed -:1', 'Command failed -:2'],
        want: [undefined, undefined, { line: 1, message: 'Error: a; more' }, { line: 2, message: '' }],
      },
    ];
  for (const c of cases) {
    it(c.what, () => {
      const f = new FailureLines();
      assert.deepEqual(
        c.lines.map((l) => f.push(l)),
        c.want,
      );
    });
  }
});

describe('one long-lived ip -batch (root: a namespace of its own)', () => {
  const ns = `ktbatch${process.pid}`;
  let batch: IpBatch;

  before(async () => {
    const support = dataPlaneSupport();
    assert.ok(support.ok, `needs root and ip: ${support.ok ? '' : support.reason}`);
    await ip(['netns', 'add', ns]);
    batch = new IpBatch(ns);
  });

  after(async () => {
    await batch.stop();
    await ip(['netns', 'delete', ns]);
  });

  it('answers each request with the index and message of each line that failed', async () => {
    const [first, second] = await Promise.all([
      batch.run([
        ['link', 'add', 'kbt0', 'type', 'bridge'],
        ['link', 'add', 'kbt0', 'type', 'bridge'],
        ['link', 'set', 'dev', 'kbt0', 'up'],
      ]),
      batch.run([['link', 'del', 'dev', 'kbt-none']]),
    ]);
    assert.deepEqual([...first.keys()], [1]);
    assert.match(first.get(1) ?? '', /File exists/);
    assert.match(second.get(0) ?? '', /Cannot find device/);
    assert.match(await ip(['-n', ns, '-brief', 'link', 'show', 'dev', 'kbt0']), /UP|UNKNOWN/);
  });

  it('a device deleted and made again under its name behind its back is still found', async () => {
    await batch.run([['link', 'add', 'kbt1', 'type', 'bridge']]);
    assert.equal((await batch.run([['link', 'set', 'dev', 'kbt1', 'up']])).size, 0);
    await ip(['-n', ns, 'link', 'del', 'dev', 'kbt1']);
    await ip(['-n', ns, 'link', 'add', 'kbt1', 'type', 'bridge']);
    assert.deepEqual([...(await batch.run([['link', 'set', 'dev', 'kbt1', 'up']]))], []);
  });

  it('refuses an argument that would break its line', async () => {
    await assert.rejects(batch.run([['link', 'del', 'dev', 'x\nnetns del y']]), /unsafe argument/);
  });
});
