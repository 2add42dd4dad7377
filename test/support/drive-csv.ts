/** Reads a driver run's attachments.csv into typed rows (test helper). */
import { readFile } from 'node:fs/promises';

export interface AttachmentRow {
  name: string;
  node: string;
  phase: string;
  outcome: string;
  plannedMs: number;
  sentMs: number;
  createdMs: number;
  addressedMs: number;
  readyMs: number;
  brokenMs: number;
  serverImplMs: number;
}

export async function readAttachmentsCsv(path: string): Promise<AttachmentRow[]> {
  const [header, ...lines] = (await readFile(path, 'utf8')).trim().split('\n');
  const cols = (header ?? '').split(',');
  const num = (s: string | undefined): number => (s === undefined || s === '' ? Number.NaN : Number(s));
  return lines.map((line) => {
    const v = line.split(',');
    const at = (name: string): string | undefined => v[cols.indexOf(name)];
    return {
      name: at('name') ?? '',
      node: at('node') ?? '',
      phase: at('phase') ?? '',
      outcome: at('outcome') ?? '',
      plannedMs: num(at('plannedMs')),
      sentMs: num(at('sentMs')),
      createdMs: num(at('createdMs')),
      addressedMs: num(at('addressedMs')),
      readyMs: num(at('readyMs')),
      brokenMs: num(at('brokenMs')),
      serverImplMs: num(at('serverImplMs')),
    };
  });
}
