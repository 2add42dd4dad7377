/** Parsing of command-line option values into checked numbers, with one-line errors. */
import { KosTestError } from '../util/errors.js';

export function intOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new KosTestError({
      what: `bad ${name}`,
      value: text,
      fix: `give a whole number from ${min} to ${max}`,
    });
  }
  return value;
}

export function etcdMembersOption(name: string, text: string): 1 | 3 {
  if (text === '1') return 1;
  if (text === '3') return 3;
  throw new KosTestError({ what: `bad ${name}`, value: text, fix: 'use 1 or 3' });
}
