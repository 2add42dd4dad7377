/**
 * Endpoints (`/api/v1/namespaces/<ns>/endpoints`): the testbed keeps `default/kubernetes`, the
 * kube-apiservers' addresses, as kube-apiserver's endpoint reconciler does.
 */
import type { KosObject } from '../meta.js';
import { metaFields, type ResourceType } from '../resource-type.js';
import { endpointsSchema } from '../apps/apps-schemas.js';
import { ageColumn, nameColumn, storedAsSentStrategy } from './core-strategy.js';
import { CORE_VERSION } from './core-types.js';

interface Subset {
  addresses?: { ip: string }[];
  ports?: { port: number }[];
}

export function endpointsSubsets(obj: KosObject): Subset[] {
  const subsets = (obj as unknown as { subsets?: unknown }).subsets;
  return Array.isArray(subsets) ? (subsets as Subset[]) : [];
}

/** kubectl's ENDPOINTS: the first three ip:port pairs, then "+ N more...". */
export function endpointsText(obj: KosObject): string {
  const pairs = endpointsSubsets(obj).flatMap((s) =>
    (s.addresses ?? []).flatMap((a) =>
      (s.ports ?? []).length === 0 ? [a.ip] : (s.ports ?? []).map((p) => `${a.ip}:${p.port}`),
    ),
  );
  if (pairs.length === 0) return '<none>';
  const shown = pairs.slice(0, 3).join(',');
  return pairs.length > 3 ? `${shown} + ${pairs.length - 3} more...` : shown;
}

export const endpoints: ResourceType = {
  group: '',
  version: CORE_VERSION,
  resource: 'endpoints',
  singular: 'endpoints',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  shortNames: ['ep'],
  schema: endpointsSchema,
  hasStatus: false,
  strategy: storedAsSentStrategy,
  immutableSpecFields: [],
  statusSections: [],
  selectableFields: [],
  indexedFields: [],
  fieldValues: metaFields,
  validate: () => [],
  columns: [
    nameColumn,
    {
      name: 'Endpoints',
      type: 'string',
      description: 'The endpoints of the service.',
      priority: 0,
      cell: endpointsText,
    },
    ageColumn,
  ],
};
