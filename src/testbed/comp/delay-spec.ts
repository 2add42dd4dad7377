/**
 * The hollow fabric's delay distribution, from the user's string (pure): `3ms` (fixed),
 * `exp:3ms` (exponential with that mean), `uniform:1ms-5ms`, `normal:3ms,1ms` (mean, standard
 * deviation; truncated at 0 by redrawing negative samples). Units: `us`, `ms`, `s`.
 */
import { parseDurationMs, type DurationSyntax } from '../../util/duration.js';
import { KosTestError } from '../../util/errors.js';

export type DelaySpec =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'exp'; readonly meanMs: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'normal'; readonly meanMs: number; readonly sdMs: number };

export const DELAY_FORMS = '3ms | exp:3ms | uniform:1ms-5ms | normal:3ms,1ms (units us, ms, s)';

/** A fabric delay is short: microseconds to seconds. */
export const DELAY_DURATION: DurationSyntax = { units: ['us', 'µs', 'ms', 's'] };

export function parseDelaySpec(text: string): DelaySpec {
  const bad = (why: string): KosTestError =>
    new KosTestError({
      what: `bad fabric delay (${why})`,
      value: JSON.stringify(text),
      fix: `use ${DELAY_FORMS}`,
    });
  const colon = text.indexOf(':');
  const kind = colon < 0 ? 'fixed' : text.slice(0, colon).trim();
  const args = colon < 0 ? [text] : text.slice(colon + 1).split(kind === 'uniform' ? '-' : ',');
  const ms = args.map((a) => parseDurationMs(a, DELAY_DURATION));
  const expect = (n: number): number[] => {
    if (ms.length !== n || ms.some((v) => v === undefined)) {
      throw bad(`${kind} takes ${n === 1 ? 'one duration' : `${n} durations`}`);
    }
    return ms as number[];
  };
  switch (kind) {
    case 'fixed': {
      const [v = 0] = expect(1);
      return { kind, ms: v };
    }
    case 'exp': {
      const [meanMs = 0] = expect(1);
      return { kind, meanMs };
    }
    case 'uniform': {
      const [minMs = 0, maxMs = 0] = expect(2);
      if (minMs > maxMs) throw bad('uniform minimum is above its maximum');
      return { kind, minMs, maxMs };
    }
    case 'normal': {
      const [meanMs = 0, sdMs = 0] = expect(2);
      return { kind, meanMs, sdMs };
    }
    default:
      throw bad(`unknown distribution ${JSON.stringify(kind)}`);
  }
}

export function formatDelaySpec(spec: DelaySpec): string {
  switch (spec.kind) {
    case 'fixed':
      return `${spec.ms}ms`;
    case 'exp':
      return `exp:${spec.meanMs}ms`;
    case 'uniform':
      return `uniform:${spec.minMs}ms-${spec.maxMs}ms`;
    case 'normal':
      return `normal:${spec.meanMs}ms,${spec.sdMs}ms`;
  }
}

/** Returns a function drawing delays (ms) from `spec`, using `random` (uniform on [0, 1)). */
export function delaySampler(spec: DelaySpec, random: () => number): () => number {
  switch (spec.kind) {
    case 'fixed':
      return () => spec.ms;
    case 'exp':
      return () => -spec.meanMs * Math.log(1 - random());
    case 'uniform':
      return () => spec.minMs + (spec.maxMs - spec.minMs) * random();
    case 'normal':
      return () => {
        // Box-Muller; a negative draw is redrawn (at most half of all draws, as the mean is >= 0).
        for (;;) {
          const r = Math.sqrt(-2 * Math.log(1 - random()));
          const x = spec.meanMs + spec.sdMs * r * Math.cos(2 * Math.PI * random());
          if (x >= 0) return x;
        }
      };
  }
}
