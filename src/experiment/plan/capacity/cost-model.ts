/**
 * The testbed's CPU cost model (ADR 0019): for each purpose, cores = base cores + base cores per
 * unit x units + CPU seconds per op x ops/s (and per op and unit x ops/s x units, for work every
 * unit repeats) + CPU seconds per delivered watch event x events/s. Stored by `kos-test testbed
 * calibrate` as versioned JSON with the machine it was measured on.
 */
import { z } from 'zod';
import { COSTED_PURPOSES } from '../../../measure/cost-table.js';

/**
 * The costed purposes, plus what the testbed itself runs: `runner` is the kos-test process (the
 * driver, the testbed supervisor and its cost exporter share it), `prometheus` is data0's.
 */
export const MODEL_PURPOSES = [...COSTED_PURPOSES, 'runner', 'prometheus'] as const;
export type ModelPurpose = (typeof MODEL_PURPOSES)[number];

/** Only these receive or send the agents' watch events in proportion to the VNs' peers. */
export const EVENT_PURPOSES: readonly ModelPurpose[] = ['comp', 'napi'];

/** Every unit of these does each op's work again: each etcd member applies every write, each napi's cache every change. */
export const REPLICATED_PURPOSES: readonly ModelPurpose[] = ['napi', 'netcd', 'ketcd'];

export const COST_MODEL_SCHEMA = 'kos-test/cost-model/v1';

export const purposeCoefficientsSchema = z.strictObject({
  /** Idle cores whatever the units. */
  baseCores: z.number().nonnegative(),
  /** Idle cores per unit (per agent, per napi, per etcd member, per testbed node: see units). */
  baseCoresPerUnit: z.number().nonnegative(),
  cpuSecondsPerOp: z.number().nonnegative(),
  /** Per op and unit, for REPLICATED_PURPOSES (0 for the others). */
  cpuSecondsPerOpPerUnit: z.number().nonnegative(),
  /** Per watch event a napi delivers (0 for purposes outside EVENT_PURPOSES). */
  cpuSecondsPerEvent: z.number().nonnegative(),
});

/** Watch events the napis deliver per op = fixedPerOp + perPeerAgentPerOp x peer agents per op. */
export const eventModelSchema = z.strictObject({
  /** Events every op causes whatever its VN: to its own agent's node watch, nctrl's, the driver's. */
  fixedPerOp: z.number().nonnegative(),
  /** Events per op for each other agent that hosts an attachment of the op's VN. */
  perPeerAgentPerOp: z.number().nonnegative(),
});

export const costModelSchema = z.strictObject({
  schema: z.literal(COST_MODEL_SCHEMA),
  source: z.enum(['calibrated', 'default']),
  /** The machine the model was measured on; a model of another machine is not used. */
  machine: z.strictObject({
    cores: z.number().int().positive(),
    modelName: z.string(),
    /** RFC 3339. */
    measuredAt: z.string(),
  }),
  events: eventModelSchema,
  purposes: z.record(z.enum(MODEL_PURPOSES), purposeCoefficientsSchema),
  /** Calibrated models: per purpose, observations fitted and the fit's RMS relative error. */
  fit: z
    .record(z.string(), z.strictObject({ observations: z.number().int(), rmsRelativeError: z.number() }))
    .optional(),
});

export type PurposeCoefficients = z.infer<typeof purposeCoefficientsSchema>;
export type EventModel = z.infer<typeof eventModelSchema>;
export type CostModel = z.infer<typeof costModelSchema>;
