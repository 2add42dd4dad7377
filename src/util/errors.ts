/**
 * The one error class users see. Every failure a user can fix names what failed, the bad value
 * and the fix, so the CLI can print it as one line and exit non-zero (see src/cli/exit.ts).
 */
export class KosTestError extends Error {
  readonly what: string;
  readonly value: string | undefined;
  readonly fix: string | undefined;
  readonly exitCode: number;

  constructor(opts: { what: string; value?: string; fix?: string; exitCode?: number; cause?: unknown }) {
    super(formatMessage(opts.what, opts.value, opts.fix), { cause: opts.cause });
    this.name = 'KosTestError';
    this.what = opts.what;
    this.value = opts.value;
    this.fix = opts.fix;
    this.exitCode = opts.exitCode ?? 1;
  }
}

function formatMessage(what: string, value: string | undefined, fix: string | undefined): string {
  const withValue = value === undefined ? what : `${what}: ${value}`;
  return fix === undefined ? withValue : `${withValue} (${fix})`;
}

/** Converts whatever was thrown into an Error, so callers never handle `unknown` twice. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}
