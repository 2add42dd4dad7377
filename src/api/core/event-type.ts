/**
 * core/v1 Events (`/api/v1/namespaces/<ns>/events`): what the testbed reports of scaling and of
 * its processes' deaths and restarts, listed, watched and selected by `kubectl describe`'s fields.
 */
import { humanAge } from '../human-age.js';
import type { KosObject } from '../meta.js';
import type { ResourceType } from '../resource-type.js';
import { eventSchema } from './core-schemas.js';
import { nameColumn, storedAsSentStrategy, text } from './core-strategy.js';
import { CORE_VERSION } from './core-types.js';

const INVOLVED_FIELDS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];

function involved(o: KosObject): Record<string, unknown> {
  const ref = (o as unknown as { involvedObject?: unknown }).involvedObject;
  return ref !== null && typeof ref === 'object' ? (ref as Record<string, unknown>) : {};
}

function field(o: KosObject, name: string): unknown {
  return (o as unknown as Record<string, unknown>)[name];
}

/** When it was last seen: lastTimestamp, else eventTime, else creation. */
function lastSeen(o: KosObject): string | undefined {
  return text(field(o, 'lastTimestamp')) || text(field(o, 'eventTime')) || o.metadata.creationTimestamp;
}

export const events: ResourceType = {
  group: '',
  version: CORE_VERSION,
  resource: 'events',
  singular: 'event',
  kind: 'Event',
  listKind: 'EventList',
  shortNames: ['ev'],
  schema: eventSchema,
  hasStatus: false,
  strategy: storedAsSentStrategy,
  immutableSpecFields: [],
  statusSections: [],
  selectableFields: [
    ...INVOLVED_FIELDS.map((f) => `involvedObject.${f}`),
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  indexedFields: [],
  fieldValues: (o) => {
    const ref = involved(o);
    const source = field(o, 'source') as { component?: string } | undefined;
    return {
      'metadata.name': o.metadata.name ?? '',
      'metadata.namespace': o.metadata.namespace ?? '',
      ...Object.fromEntries(INVOLVED_FIELDS.map((f) => [`involvedObject.${f}`, text(ref[f])])),
      reason: text(field(o, 'reason')),
      reportingComponent: text(field(o, 'reportingComponent')),
      source: text(source?.component),
      type: text(field(o, 'type')),
    };
  },
  validate: () => [],
  columns: [
    {
      name: 'Last Seen',
      type: 'string',
      description: 'Time since the event was last seen.',
      priority: 0,
      cell: (o, now) => humanAge(lastSeen(o), now),
    },
    {
      name: 'Type',
      type: 'string',
      description: 'Type of the event.',
      priority: 0,
      cell: (o) => text(field(o, 'type')),
    },
    {
      name: 'Reason',
      type: 'string',
      description: 'Why the event happened.',
      priority: 0,
      cell: (o) => text(field(o, 'reason')),
    },
    {
      name: 'Object',
      type: 'string',
      description: 'The object the event is about.',
      priority: 0,
      cell: (o) => `${text(involved(o).kind).toLowerCase()}/${text(involved(o).name)}`,
    },
    {
      name: 'Message',
      type: 'string',
      description: 'What happened.',
      priority: 0,
      cell: (o) => text(field(o, 'message')),
    },
    {
      name: 'Source',
      type: 'string',
      description: 'The component that reported the event.',
      priority: 1,
      cell: (o) => text((field(o, 'source') as { component?: string } | undefined)?.component),
    },
    {
      name: 'Count',
      type: 'integer',
      description: 'How often it happened.',
      priority: 1,
      cell: (o) => Number(field(o, 'count') ?? 1),
    },
    { ...nameColumn, priority: 1 },
  ],
};
