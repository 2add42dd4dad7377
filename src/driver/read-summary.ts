/** Reads a driver's summary.json and checks it against the contract, failing in one line. */
import { readFile } from 'node:fs/promises';
import { KosTestError, toError } from '../util/errors.js';
import { parseChecked } from '../util/zod-error.js';
import { driveSummarySchema, type DriveSummary } from './drive-summary.js';

export async function readDriveSummary(
  path: string,
  opts: { what: string; fix: string },
): Promise<DriveSummary> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    throw new KosTestError({
      what: `cannot read the ${opts.what}`,
      value: `${path}: ${toError(e).message}`,
      fix: opts.fix,
      cause: e,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    throw new KosTestError({ what: `${opts.what} is not JSON`, value: path, fix: opts.fix, cause: e });
  }
  return parseChecked(
    driveSummarySchema,
    json,
    (f) =>
      new KosTestError({
        what: `${opts.what} does not match kos-test/drive-summary/v1`,
        value: `${path}: ${f.issue === undefined ? 'invalid' : `${f.dotted}: ${f.message}`}`,
        fix: opts.fix,
      }),
  );
}
