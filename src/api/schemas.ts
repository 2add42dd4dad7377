/**
 * Wire schemas: what a request body must look like to decode as a KOS object. A body that does
 * not decode is a 400 (as a Go apiserver's JSON decoding error is); semantic checks that come
 * after decoding are 422s (see resource-types.ts). Unknown fields are dropped, as Kubernetes does
 * without strict field validation.
 */
import { z } from 'zod';
import { failedCheck } from '../util/zod-error.js';

const stringMap = z.record(z.string(), z.string());

export const objectMetaSchema = z.object({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  creationTimestamp: z.string().nullable().optional(),
  deletionTimestamp: z.string().nullable().optional(),
  labels: stringMap.nullable().optional(),
  annotations: stringMap.nullable().optional(),
  ownerReferences: z
    .array(
      z.object({
        apiVersion: z.string(),
        kind: z.string(),
        name: z.string(),
        uid: z.string(),
        controller: z.boolean().optional(),
        blockOwnerDeletion: z.boolean().optional(),
      }),
    )
    .nullable()
    .optional(),
  finalizers: z.array(z.string()).nullable().optional(),
  managedFields: z.array(z.unknown()).nullable().optional(),
});

const extendedMetadataSchema = z.object({
  writes: z
    .array(z.object({ section: z.string(), serverTime: z.string() }))
    .nullable()
    .optional(),
});

const uint32 = z.number().int().min(0).max(0xffffffff);
const stringList = z.array(z.string()).nullable().optional();

const typeMeta = {
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: objectMetaSchema.default({}),
  extendedMetadata: extendedMetadataSchema.nullable().optional(),
};

export const subnetSchema = z.object({
  ...typeMeta,
  spec: z.object({ ipv4: z.string().default(''), vni: uint32.default(0) }).default({ ipv4: '', vni: 0 }),
  status: z.object({ validated: z.boolean().optional(), errors: stringList }).nullable().optional(),
});

const execReportSchema = z.object({
  command: z.array(z.string()).nullable().default([]),
  // Absent means 0, as in Go; the status strategy's omitempty drops a successful exit's 0.
  exitStatus: z.number().int().default(0),
  startTime: z.string().nullable().optional(),
  stopTime: z.string().nullable().optional(),
  stdOut: z.string().default(''),
  stdErr: z.string().default(''),
});

export const networkAttachmentSchema = z.object({
  ...typeMeta,
  spec: z
    .object({
      node: z.string().default(''),
      subnet: z.string().default(''),
      postCreateExec: stringList,
      postDeleteExec: stringList,
    })
    .default({ node: '', subnet: '' }),
  status: z
    .object({
      errors: z.object({ ipam: stringList, host: stringList }).nullable().optional(),
      subnetCreationTime: z.string().nullable().optional(),
      addressContention: z.boolean().optional(),
      lockUID: z.string().optional(),
      addressVNI: uint32.optional(),
      ipv4: z.string().optional(),
      macAddress: z.string().optional(),
      ifcName: z.string().optional(),
      hostIP: z.string().optional(),
      postCreateExecReport: execReportSchema.nullable().optional(),
    })
    .nullable()
    .optional(),
});

export const ipLockSchema = z.object({
  ...typeMeta,
  spec: z.object({ subnetName: z.string().default('') }).default({ subnetName: '' }),
});

/** Options that may accompany DELETE (metav1.DeleteOptions); only preconditions change behaviour. */
export const deleteOptionsSchema = z.object({
  kind: z.string().optional(),
  apiVersion: z.string().optional(),
  preconditions: z
    .object({ uid: z.string().nullable().optional(), resourceVersion: z.string().nullable().optional() })
    .nullable()
    .optional(),
  propagationPolicy: z.enum(['Orphan', 'Background', 'Foreground']).nullable().optional(),
  gracePeriodSeconds: z.number().int().nullable().optional(),
  dryRun: z.array(z.string()).nullable().optional(),
});

/** Renders a zod failure as the single line a client sees in the 400 Status. */
export function describeDecodeError(error: z.ZodError): string {
  const f = failedCheck(error, undefined);
  if (f.issue === undefined) return 'the request body could not be decoded';
  return `the request body could not be decoded: ${f.dotted === '' ? '(root)' : f.dotted}: ${f.message}`;
}
