/** A spec's durations: seconds as a number, or a string such as `30s`; one schema, one parser. */
import { z } from 'zod';
import { durationPattern, parseDurationMs, type DurationSyntax } from '../../util/duration.js';
import { KosTestError } from '../../util/errors.js';

const DURATION_MESSAGE = 'a duration is seconds or a string such as 30s, 2m, 1h';

/** What a spec's duration strings may be. */
export const SPEC_DURATION: DurationSyntax = { units: ['ms', 's', 'm', 'h'] };

/** Seconds as a number, or a string like `25s`, `2m`, `1h`, `500ms`. */
export const durationSchema = z
  .union(
    [z.number().positive(), z.string().regex(new RegExp(durationPattern(SPEC_DURATION)), DURATION_MESSAGE)],
    {
      error: DURATION_MESSAGE,
    },
  )
  .describe('seconds, or a string such as 30s, 2m, 1h');

export function durationSeconds(d: number | string): number {
  if (typeof d === 'number') return d;
  const ms = parseDurationMs(d, SPEC_DURATION);
  if (ms === undefined)
    throw new KosTestError({ what: 'bad duration', value: d, fix: 'write e.g. 30s, 2m or 1h' });
  return ms / 1000;
}
