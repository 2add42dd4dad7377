/** A phase of a run (warm-up, cruise, cool-down) as wall-clock milliseconds since the epoch. */
import { z } from 'zod';

export const phaseWindowSchema = z
  .object({
    /** Date.now() at the phase's first planned operation. */
    startMs: z.number(),
    /** Date.now() at the phase's end (the next phase's start, or the last operation's completion). */
    endMs: z.number(),
  })
  .refine((w) => w.endMs >= w.startMs, { message: 'a phase ends before it starts' });

export type PhaseWindow = z.infer<typeof phaseWindowSchema>;

export const PHASES = ['warmup', 'cruise', 'cooldown'] as const;
export type Phase = (typeof PHASES)[number];
