/**
 * Wire schemas of Node and Namespace. The fields the testbed uses are checked; other fields of
 * spec and status pass through untouched (real clients send more of Kubernetes' Node than we
 * model, and dropping them would lose data), while unknown metadata fields are dropped as for KOS.
 */
import { z } from 'zod';
import { objectMetaSchema } from '../schemas.js';

const typeMeta = {
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMetaSchema.default({}),
};

const time = z.string().nullable().optional();
/** Quantities are strings on the wire; a bare number is read as its decimal text. */
const quantities = z
  .record(z.string(), z.union([z.string(), z.number().transform(String)]))
  .nullable()
  .optional();

const nodeAddressSchema = z.object({ type: z.string(), address: z.string() });

const nodeConditionSchema = z.looseObject({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  lastHeartbeatTime: time,
  lastTransitionTime: time,
  reason: z.string().optional(),
  message: z.string().optional(),
});

const taintSchema = z.looseObject({
  key: z.string(),
  value: z.string().optional(),
  effect: z.string(),
  timeAdded: time,
});

export const nodeSchema = z.object({
  ...typeMeta,
  spec: z
    .looseObject({
      podCIDR: z.string().optional(),
      podCIDRs: z.array(z.string()).nullable().optional(),
      providerID: z.string().optional(),
      unschedulable: z.boolean().optional(),
      taints: z.array(taintSchema).nullable().optional(),
    })
    .nullable()
    .default({}),
  status: z
    .looseObject({
      capacity: quantities,
      allocatable: quantities,
      conditions: z.array(nodeConditionSchema).nullable().optional(),
      addresses: z.array(nodeAddressSchema).nullable().optional(),
      nodeInfo: z.record(z.string(), z.string()).nullable().optional(),
    })
    .nullable()
    .optional(),
});

export const namespaceSchema = z.object({
  ...typeMeta,
  spec: z
    .object({ finalizers: z.array(z.string()).nullable().optional() })
    .nullable()
    .default({}),
  status: z
    .looseObject({ phase: z.enum(['Active', 'Terminating']).optional() })
    .nullable()
    .optional(),
});

const objectReferenceSchema = z.looseObject({
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  uid: z.string().optional(),
  apiVersion: z.string().optional(),
  resourceVersion: z.string().optional(),
  fieldPath: z.string().optional(),
});

const containerStatusSchema = z.looseObject({
  name: z.string(),
  ready: z.boolean().optional(),
  restartCount: z.number().int().optional(),
  state: z.looseObject({}).nullable().optional(),
  lastState: z.looseObject({}).nullable().optional(),
});

/** Pods: what the testbed writes for its processes; the rest of a real pod passes through. */
export const podSchema = z.object({
  ...typeMeta,
  spec: z
    .looseObject({
      nodeName: z.string().optional(),
      containers: z
        .array(z.looseObject({ name: z.string(), image: z.string().optional() }))
        .nullable()
        .optional(),
      nodeSelector: z.record(z.string(), z.string()).nullable().optional(),
      restartPolicy: z.string().optional(),
    })
    .nullable()
    .default({}),
  status: z
    .looseObject({
      phase: z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']).optional(),
      conditions: z
        .array(nodeConditionSchema.omit({ lastHeartbeatTime: true }))
        .nullable()
        .optional(),
      hostIP: z.string().optional(),
      podIP: z.string().optional(),
      startTime: time,
      containerStatuses: z.array(containerStatusSchema).nullable().optional(),
    })
    .nullable()
    .optional(),
});

/** core/v1 Events, as `kubectl get events` and `describe` read them. */
export const eventSchema = z.looseObject({
  ...typeMeta,
  involvedObject: objectReferenceSchema.default({}),
  reason: z.string().optional(),
  message: z.string().optional(),
  source: z
    .looseObject({ component: z.string().optional(), host: z.string().optional() })
    .nullable()
    .optional(),
  firstTimestamp: time,
  lastTimestamp: time,
  count: z.number().int().optional(),
  type: z.string().optional(),
  eventTime: time,
  reportingComponent: z.string().optional(),
  reportingInstance: z.string().optional(),
});
