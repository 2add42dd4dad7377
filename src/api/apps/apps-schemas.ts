/**
 * Wire schemas of the workload objects the testbed's kube front stores (Deployment, DaemonSet,
 * Endpoints). The fields the testbed reads are checked; the rest of spec and status passes
 * through (kubectl and manifests send far more of them than the testbed models).
 */
import { z } from 'zod';
import { objectMetaSchema } from '../schemas.js';

const typeMeta = {
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMetaSchema.default({}),
};

const labelSelectorSchema = z.looseObject({
  matchLabels: z.record(z.string(), z.string()).nullable().optional(),
  matchExpressions: z.array(z.looseObject({})).nullable().optional(),
});

const templateSchema = z.looseObject({
  metadata: z.looseObject({ labels: z.record(z.string(), z.string()).nullable().optional() }).optional(),
  spec: z
    .looseObject({ nodeSelector: z.record(z.string(), z.string()).nullable().optional() })
    .nullable()
    .optional(),
});

const statusSchema = z.looseObject({}).nullable().optional();

export const deploymentSchema = z.object({
  ...typeMeta,
  spec: z
    .looseObject({
      replicas: z.number().int().optional(),
      selector: labelSelectorSchema.nullable().optional(),
      template: templateSchema.nullable().optional(),
    })
    .default({}),
  status: statusSchema,
});

export const daemonSetSchema = z.object({
  ...typeMeta,
  spec: z
    .looseObject({
      selector: labelSelectorSchema.nullable().optional(),
      template: templateSchema.nullable().optional(),
    })
    .default({}),
  status: statusSchema,
});

const endpointAddressSchema = z.looseObject({ ip: z.string(), hostname: z.string().optional() });
const endpointPortSchema = z.looseObject({
  name: z.string().optional(),
  port: z.number().int(),
  protocol: z.string().optional(),
});

export const endpointsSchema = z.object({
  ...typeMeta,
  subsets: z
    .array(
      z.looseObject({
        addresses: z.array(endpointAddressSchema).nullable().optional(),
        notReadyAddresses: z.array(endpointAddressSchema).nullable().optional(),
        ports: z.array(endpointPortSchema).nullable().optional(),
      }),
    )
    .nullable()
    .optional(),
});

/** autoscaling/v1 Scale, the body of `deployments/<name>/scale`. */
export const scaleSchema = z.object({
  ...typeMeta,
  spec: z.looseObject({ replicas: z.number().int().optional() }).default({}),
  status: z.looseObject({}).nullable().optional(),
});
