/**
 * The post-delete commands an agent group still owes, on disk: a line `{"owe":uid,"argv":[...]}`
 * is appended (and synced) before an attachment's post-create command starts, `{"paid":uid}` once
 * its post-delete command ran. A group killed with -9 leaves its owed commands here, and the
 * testbed's sweep runs them (the only way to find namespaces a command named after the driver's
 * run, which carry no testbed prefix).
 */
import { appendFileSync, fsyncSync, openSync, closeSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const lineSchema = z.union([
  z.object({ owe: z.string(), argv: z.array(z.string()) }),
  z.object({ paid: z.string() }),
]);

export class CleanupJournal {
  private readonly fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  owe(uid: string, argv: readonly string[]): void {
    this.append({ owe: uid, argv });
  }

  paid(uid: string): void {
    this.append({ paid: uid });
  }

  close(): void {
    closeSync(this.fd);
  }

  private append(line: object): void {
    appendFileSync(this.fd, `${JSON.stringify(line)}\n`);
    fsyncSync(this.fd);
  }
}

export const JOURNAL_SUFFIX = '.cleanup.jsonl';

/** Owed commands of `text` (pure): owed and not paid, in order; torn last lines are skipped. */
export function owedCommands(text: string): string[][] {
  const owed = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let parsed: z.infer<typeof lineSchema>;
    try {
      parsed = lineSchema.parse(JSON.parse(raw));
    } catch {
      continue;
    }
    if ('owe' in parsed) owed.set(parsed.owe, parsed.argv);
    else owed.delete(parsed.paid);
  }
  return [...owed.values()];
}

/** Reads and removes every journal in `dir`, returning what they still owe. */
export async function takeOwedCommands(dir: string): Promise<string[][]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith(JOURNAL_SUFFIX));
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const owed: string[][] = [];
  for (const f of files) {
    owed.push(...owedCommands(await readFile(join(dir, f), 'utf8')));
    await rm(join(dir, f), { force: true });
  }
  return owed;
}
