/** Server-side printing (meta.k8s.io Table), so `kubectl get` shows KOS columns. */
import type { KosObject } from '../../api/meta.js';
import type { ResourceType } from '../../api/resource-type.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  apiVersion: string;
  includeObject: IncludeObject;
  withColumns: boolean;
  nowMs: number;
}

export function includeObjectOf(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

export function tableJson(
  type: ResourceType,
  objects: readonly KosObject[],
  listMeta: Record<string, unknown>,
  opts: TableOptions,
): string {
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: opts.apiVersion, metadata: listMeta };
  if (opts.withColumns) {
    table.columnDefinitions = type.columns.map((c, i) => ({
      name: c.name,
      type: c.type,
      format: c.name === 'Name' ? 'name' : '',
      description: c.description,
      priority: c.priority ?? (i < 4 || c.name === 'Age' ? 0 : 1),
    }));
  }
  table.rows = objects.map((obj) => {
    const row: Record<string, unknown> = { cells: type.columns.map((c) => c.cell(obj, opts.nowMs)) };
    if (opts.includeObject === 'Object') row.object = obj;
    else if (opts.includeObject === 'Metadata') {
      row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
    }
    return row;
  });
  return JSON.stringify(table);
}
