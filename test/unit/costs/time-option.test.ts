import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTimeOption } from '../../../src/cli/time-option.js';
import { KosTestError } from '../../../src/util/errors.js';

const NOW = Date.parse('2026-12-01T20:00:00Z');

describe('--from / --to values', () => {
  const good: [string, number][] = [
    ['2026-12-01T19:50:00Z', Date.parse('2026-12-01T19:50:00Z')],
    ['2026-12-01T19:50:00.250Z', Date.parse('2026-12-01T19:50:00.250Z')],
    ['2026-12-01T21:50:00+02:00', Date.parse('2026-12-01T19:50:00Z')],
    ['2026-12-01 19:50:00Z', Date.parse('2026-12-01T19:50:00Z')],
    ['1764618600000', 1_764_618_600_000],
    ['now', NOW],
    ['now-5m', NOW - 300_000],
    ['now-90s', NOW - 90_000],
    ['now-1.5h', NOW - 5_400_000],
    ['now-250ms', NOW - 250],
  ];
  for (const [text, want] of good) {
    it(text, () => {
      assert.equal(parseTimeOption('--from', text, NOW), want);
    });
  }
  const bad = [
    'yesterday',
    '1764618600',
    '2026-12-01',
    '2026-12-01T19:50:00',
    'now+5m',
    'now-5d',
    '',
    '2026-13-01T00:00:00Z',
  ];
  for (const text of bad) {
    it(`refuses ${JSON.stringify(text)} in one line naming it`, () => {
      assert.throws(
        () => parseTimeOption('--from', text, NOW),
        (e: unknown) => e instanceof KosTestError && e.message.startsWith(`bad --from: ${text}`),
      );
    });
  }
});
