/**
 * Child of driver-memory (`node --expose-gc driver-book-memory-child.js <n> <result>`): the heap
 * and off-heap growth of one AttachmentBook tracking n attachments, every field written once, and
 * of the whole plan of a run of n attachments, each after a full GC.
 */
import { AttachmentBook, STATE_CREATED } from '../src/driver/attachment-book.js';
import { planDrive } from '../src/driver/plan/drive-plan.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';

export interface BookMemoryResult {
  tracked: number;
  /** heapUsed + external (ArrayBuffers) growth, bytes. */
  bookBytes: number;
  bookRssBytes: number;
  /** What the book says it holds (its arrays' byteLength). */
  bookArrayBytes: number;
  planBytes: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function used(): { heap: number; rss: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

async function main(): Promise<void> {
  if (gc === undefined) throw new Error('run with --expose-gc');
  const n = Number(process.argv[2] ?? '1000000');
  const before = used();
  const book = new AttachmentBook(
    Int32Array.from({ length: n }, (_, i) => i),
    600,
  );
  // Write every field once, as a run does (pages of a fresh array may not be resident yet).
  for (let i = 0; i < n; i++) {
    book.planned[i] = i;
    book.sent[i] = i;
    book.created[i] = i;
    book.addressed[i] = i;
    book.ready[i] = i;
    book.broken[i] = i;
    book.serverImpl[i] = i;
    book.node[i] = i % 600;
    book.phase[i] = 1;
    book.mark(i, STATE_CREATED);
  }
  const withBook = used();
  const plan = planDrive({
    numNets: 100,
    topNetSize: 10_000,
    exponent: 1,
    bias: 0,
    singleNetwork: false,
    baseAddress: '10.0.0.0',
    subnetSizeFactor: 1,
    numAttachments: n,
    rate: 1000,
    opsDistribution: 'steady',
    createOnly: false,
    shard: { index: 0, count: 1 },
    seed: 1,
  });
  const withPlan = used();
  const result: BookMemoryResult = {
    tracked: book.size,
    bookBytes: withBook.heap - before.heap,
    bookRssBytes: withBook.rss - before.rss,
    bookArrayBytes: book.bytes(),
    planBytes: withPlan.heap - withBook.heap,
  };
  await writeFileAtomic(
    process.argv[3] ?? 'book-memory.json',
    JSON.stringify({ ...result, keep: plan.population > 0 }),
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  },
);
