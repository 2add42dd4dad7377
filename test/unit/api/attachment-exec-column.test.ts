import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execCell, networkAttachments } from '../../../src/api/resource-types.js';

describe('the NetworkAttachment Exec column (kubectl get na)', () => {
  const cases: { what: string; report: unknown; want: string }[] = [
    { what: 'no report yet', report: undefined, want: '' },
    { what: 'a null report', report: null, want: '' },
    { what: 'a failed ping test', report: { command: ['TestByPing'], exitStatus: 3 }, want: 'exit 3' },
    {
      what: 'a success whose 0 was omitted on the wire',
      report: { command: ['TestByPing'] },
      want: 'exit 0',
    },
    { what: 'an agent-side refusal (negative)', report: { exitStatus: -1 }, want: 'exit -1' },
  ];
  for (const c of cases) {
    it(`shows ${JSON.stringify(c.want)} for ${c.what}`, () => {
      assert.equal(execCell(c.report), c.want);
    });
  }

  it('sits between HostIP and Age', () => {
    const names = networkAttachments.columns.map((c) => c.name);
    assert.deepEqual(names.slice(-3), ['HostIP', 'Exec', 'Age']);
  });
});
