/** kubectl's columns of Deployments and DaemonSets (pure helpers over their JSON). */
import type { KosObject } from '../meta.js';
import type { PrintColumn } from '../resource-type.js';

export function statusNumber(obj: KosObject, field: string): number {
  const v = obj.status?.[field];
  return typeof v === 'number' ? v : 0;
}

function podSpec(obj: KosObject): Record<string, unknown> | undefined {
  const template = obj.spec?.template as { spec?: Record<string, unknown> } | undefined;
  return template?.spec;
}

function containers(obj: KosObject): { name?: string; image?: string }[] {
  const list = podSpec(obj)?.containers;
  return Array.isArray(list) ? (list as { name?: string; image?: string }[]) : [];
}

export function mapText(map: unknown): string {
  if (map === null || typeof map !== 'object') return '<none>';
  const entries = Object.entries(map as Record<string, unknown>);
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${String(v)}`).join(',');
}

export const containersColumn: PrintColumn = {
  name: 'Containers',
  type: 'string',
  description: 'Names of each container in the template.',
  priority: 1,
  cell: (o) =>
    containers(o)
      .map((c) => c.name ?? '')
      .join(','),
};

export const imagesColumn: PrintColumn = {
  name: 'Images',
  type: 'string',
  description: 'Images referenced by each container in the template.',
  priority: 1,
  cell: (o) =>
    containers(o)
      .map((c) => c.image ?? '')
      .join(','),
};

export const selectorColumn: PrintColumn = {
  name: 'Selector',
  type: 'string',
  description: 'Label selector for pods.',
  priority: 1,
  cell: (o) => mapText((o.spec?.selector as { matchLabels?: unknown } | undefined)?.matchLabels),
};

export const nodeSelectorColumn: PrintColumn = {
  name: 'Node Selector',
  type: 'string',
  description: 'The node selector of the pods.',
  priority: 0,
  cell: (o) => mapText(podSpec(o)?.nodeSelector),
};
