import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDurationMs, type DurationSyntax } from '../../../src/util/duration.js';

describe('parseDurationMs: one parser, each caller its own units', () => {
  const short: DurationSyntax = { units: ['us', 'ms', 's'] };
  const spec: DurationSyntax = { units: ['ms', 's', 'm', 'h'] };
  const prom: DurationSyntax = {
    units: ['ms', 's', 'm', 'h', 'd', 'w', 'y'],
    compound: true,
    integers: true,
  };
  const cases: { text: string; syntax: DurationSyntax; want: number | undefined }[] = [
    { text: '250us', syntax: short, want: 0.25 },
    { text: '2.5ms', syntax: short, want: 2.5 },
    { text: '.5s', syntax: short, want: 500 },
    { text: '2m', syntax: short, want: undefined },
    { text: '2m', syntax: spec, want: 120_000 },
    { text: '500ms', syntax: spec, want: 500 },
    { text: '1h', syntax: spec, want: 3_600_000 },
    { text: '1h30m', syntax: spec, want: undefined },
    { text: '1h30m', syntax: prom, want: 5_400_000 },
    { text: '14d', syntax: prom, want: 14 * 86_400_000 },
    { text: '1.5s', syntax: prom, want: undefined },
    { text: '10', syntax: spec, want: undefined },
    { text: '-1s', syntax: spec, want: undefined },
    { text: 'ms', syntax: spec, want: undefined },
  ];
  for (const c of cases) {
    it(`${c.text} with ${c.syntax.units.join('|')}${c.syntax.compound === true ? ' (compound)' : ''} → ${String(c.want)}`, () => {
      assert.equal(parseDurationMs(c.text, c.syntax), c.want);
    });
  }
});
