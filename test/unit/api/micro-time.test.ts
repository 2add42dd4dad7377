import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatMicroTime, formatTime, nowMicros, parseMicroTime } from '../../../src/api/micro-time.js';

const BASE_MS = Date.UTC(2026, 10, 23, 21, 40, 0); // 2026-11-23T21:40:00Z

describe('formatMicroTime', () => {
  const cases: { micros: number; want: string }[] = [
    { micros: BASE_MS * 1000 + 123456, want: '2026-11-23T21:40:00.123456Z' },
    { micros: BASE_MS * 1000, want: '2026-11-23T21:40:00.000000Z' },
    { micros: BASE_MS * 1000 + 7, want: '2026-11-23T21:40:00.000007Z' },
    { micros: BASE_MS * 1000 + 999999, want: '2026-11-23T21:40:00.999999Z' },
    { micros: BASE_MS * 1000 + 1000000, want: '2026-11-23T21:40:01.000000Z' },
    { micros: BASE_MS * 1000 + 1000001, want: '2026-11-23T21:40:01.000001Z' },
    { micros: 1.9, want: '1970-01-01T00:00:00.000001Z' },
    { micros: 0, want: '1970-01-01T00:00:00.000000Z' },
    { micros: -1, want: '1969-12-31T23:59:59.999999Z' },
  ];
  for (const c of cases) {
    it(`formats ${c.micros} as ${c.want}`, () => {
      assert.equal(formatMicroTime(c.micros), c.want);
    });
  }
});

describe('formatTime', () => {
  const cases: { millis: number; want: string }[] = [
    { millis: BASE_MS, want: '2026-11-23T21:40:00Z' },
    { millis: BASE_MS + 999, want: '2026-11-23T21:40:00Z' },
    { millis: -1, want: '1969-12-31T23:59:59Z' },
  ];
  for (const c of cases) {
    it(`formats ${c.millis} as ${c.want}, dropping milliseconds`, () => {
      assert.equal(formatTime(c.millis), c.want);
    });
  }
});

describe('parseMicroTime', () => {
  const base = BASE_MS * 1000;
  const cases: { text: string; want: number | undefined }[] = [
    { text: '2026-11-23T21:40:00.123456Z', want: base + 123456 },
    { text: '2026-11-23T21:40:00Z', want: base },
    { text: '2026-11-23T21:40:00.1Z', want: base + 100000 },
    { text: '2026-11-23T21:40:00.123Z', want: base + 123000 },
    { text: '2026-11-23T21:40:00.123456789Z', want: base + 123456 },
    { text: '2026-11-23T22:40:00.5+01:00', want: base + 500000 },
    { text: '2026-11-23T16:10:00-05:30', want: base },
    { text: '2026-11-23T21:40:00+00:00', want: base },
    { text: '2024-02-29T00:00:00Z', want: Date.UTC(2024, 1, 29) * 1000 },
    { text: '0001-01-01T00:00:00Z', want: -62135596800000000 },
    { text: '2026-11-23T21:40:00.1234567890Z', want: undefined },
    { text: '2026-11-23T21:40:00.Z', want: undefined },
    { text: '2026-11-23T21:40:00', want: undefined },
    { text: '2026-11-23 21:40:00Z', want: undefined },
    { text: '2026-11-23t21:40:00z', want: undefined },
    { text: '2026-11-23T21:40Z', want: undefined },
    { text: '2026-11-23T21:40:00+0100', want: undefined },
    { text: '2026-13-01T00:00:00Z', want: undefined },
    { text: '2026-00-01T00:00:00Z', want: undefined },
    { text: '2025-02-29T00:00:00Z', want: undefined },
    { text: '2026-04-31T00:00:00Z', want: undefined },
    { text: '2026-11-23T24:00:00Z', want: undefined },
    { text: '2026-11-23T21:60:00Z', want: undefined },
    { text: '2026-11-23T21:40:60Z', want: undefined },
    { text: '2026-11-23T21:40:00+24:00', want: undefined },
    { text: '', want: undefined },
  ];
  for (const c of cases) {
    it(`${c.want === undefined ? 'rejects' : 'reads'} ${JSON.stringify(c.text)}`, () => {
      assert.equal(parseMicroTime(c.text), c.want);
    });
  }

  const roundTrips = [0, 1, 999999, base, base + 123456, base + 1, -1_000_001];
  for (const micros of roundTrips) {
    it(`reads back what formatMicroTime wrote for ${micros}`, () => {
      assert.equal(parseMicroTime(formatMicroTime(micros)), micros);
    });
  }
});

describe('nowMicros', () => {
  it('never goes backwards over many successive calls', () => {
    let last = nowMicros();
    for (let i = 0; i < 100_000; i++) {
      const now = nowMicros();
      assert.ok(now >= last, `${now} < ${last}`);
      last = now;
    }
  });

  it('is an integer near Date.now() in microseconds', () => {
    const now = nowMicros();
    assert.ok(Number.isSafeInteger(now));
    assert.ok(Math.abs(now / 1000 - Date.now()) < 1000);
  });

  it('resolves microseconds rather than milliseconds', () => {
    const seen = new Set<number>();
    const start = nowMicros();
    while (nowMicros() - start < 5000) seen.add(nowMicros() % 1000);
    // Over 5 ms of busy calls, millisecond-resolution stamps would show one sub-millisecond value.
    assert.ok(seen.size > 10, `only ${seen.size} distinct sub-millisecond values`);
  });

  it('formats as MicroTime with six fractional digits', () => {
    assert.match(formatMicroTime(nowMicros()), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });
});
