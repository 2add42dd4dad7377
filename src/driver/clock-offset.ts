/**
 * Driver-to-apiserver clock offset (measurement.md): write a probe object, read the apiserver's
 * write stamp (microseconds) from the answer, and bracket it by the driver's wall clock just
 * before the request and just after the response. The stamp was taken somewhere inside that
 * bracket, so offset = midpoint - stamp is right to within half the round trip; of several
 * samples the one with the shortest round trip wins. Pure: the probe and the clock are passed in.
 */

export interface ClockOffset {
  /** Driver wall clock minus apiserver clock, ms. */
  offsetMs: number;
  /** The offset is within +-this (half the best round trip), ms. */
  uncertaintyMs: number;
  samples: number;
}

export interface ClockProbe {
  /** Writes probe k; resolves to the server's write stamp, epoch microseconds, when the write is answered. */
  probe(k: number): Promise<number>;
  /** Tidies up after probe k (deletes its object), once the bracket is closed: its time is not the write's. */
  afterProbe?(k: number): Promise<void>;
  /** The driver's wall clock, epoch ms (fractional). */
  wallMs(): number;
}

export interface ClockSample {
  beforeMs: number;
  serverMs: number;
  afterMs: number;
}

export function offsetFromSamples(samples: readonly ClockSample[]): ClockOffset {
  let best: ClockSample | undefined;
  for (const s of samples)
    if (best === undefined || s.afterMs - s.beforeMs < best.afterMs - best.beforeMs) best = s;
  if (best === undefined) return { offsetMs: 0, uncertaintyMs: 0, samples: 0 };
  return {
    offsetMs: (best.beforeMs + best.afterMs) / 2 - best.serverMs,
    uncertaintyMs: (best.afterMs - best.beforeMs) / 2,
    samples: samples.length,
  };
}

export async function measureClockOffset(io: ClockProbe, count: number): Promise<ClockOffset> {
  const samples: ClockSample[] = [];
  for (let k = 0; k < count; k++) {
    let sample: ClockSample;
    try {
      const beforeMs = io.wallMs();
      const serverMicros = await io.probe(k);
      sample = { beforeMs, serverMs: serverMicros / 1000, afterMs: io.wallMs() };
    } catch (e: unknown) {
      // Tidy up still, but report why the probe failed, not a tidy-up that failed after it.
      await io.afterProbe?.(k).catch(() => undefined);
      throw e;
    }
    await io.afterProbe?.(k);
    samples.push(sample);
  }
  return offsetFromSamples(samples);
}
