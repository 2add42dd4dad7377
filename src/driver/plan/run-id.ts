/**
 * Run ids (pure): generated as `MMDD-HHMM-rrrr` (UTC time, four random base-36 characters), or
 * given by the user. Either way the id names the run's namespace and its output directory, so it
 * must be a DNS label that also works as a label value.
 */
import { KosTestError } from '../../util/errors.js';
import type { Random } from '../../util/prng.js';

const RUN_ID = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function generateRunId(wallMs: number, random: Random): string {
  const d = new Date(wallMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let tail = '';
  for (let i = 0; i < 4; i++)
    tail += alphabet[Math.floor(random() * alphabet.length) % alphabet.length] ?? 'x';
  return `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}-${two(d.getUTCHours())}${two(d.getUTCMinutes())}-${tail}`;
}

/** Why `id` cannot be a run id, or undefined when it can. */
export function runIdProblem(id: string): string | undefined {
  if (RUN_ID.test(id)) return undefined;
  return 'use up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit';
}

export function checkRunId(id: string): string {
  const problem = runIdProblem(id);
  if (problem !== undefined)
    throw new KosTestError({ what: 'bad --runid', value: JSON.stringify(id), fix: problem });
  return id;
}
