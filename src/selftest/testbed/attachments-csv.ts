/**
 * The driver's attachments.csv as the selftest reads it (pure): per attachment, its node and
 * the driver's wall-clock times of its life; a time it never reached is NaN.
 */

export interface AttachmentTimes {
  node: string;
  plannedMs: number;
  sentMs: number;
  addressedMs: number;
  readyMs: number;
}

export function attachmentTimes(csv: string): AttachmentTimes[] {
  const [header = '', ...rows] = csv.trim().split('\n');
  const cols = header.split(',');
  const time = (f: readonly string[], name: string): number => {
    const v = f[cols.indexOf(name)] ?? '';
    return v === '' ? Number.NaN : Number(v);
  };
  return rows.map((row) => {
    const f = row.split(',');
    return {
      node: f[cols.indexOf('node')] ?? '',
      plannedMs: time(f, 'plannedMs'),
      sentMs: time(f, 'sentMs'),
      addressedMs: time(f, 'addressedMs'),
      readyMs: time(f, 'readyMs'),
    };
  });
}
