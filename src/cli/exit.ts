/** The one place that turns a failure into what the user sees and the exit code. */
import { KosTestError, toError } from '../util/errors.js';

export function reportFailure(
  thrown: unknown,
  write: (line: string) => void = (l) => process.stderr.write(l),
): number {
  if (thrown instanceof KosTestError) {
    write(`kos-test: ${thrown.message}\n`);
    return thrown.exitCode;
  }
  const error = toError(thrown);
  write(`kos-test: unexpected error: ${error.stack ?? error.message}\n`);
  return 70;
}
