/**
 * Child of driver-memory (`node --expose-gc driver-book-memory-child.js <n> <result>`): the heap
 * and off-heap growth of the whole plan of a run of n attachments, then of the AttachmentBook
 * tracking them (every field written once), each after a full GC.
 */
import { AttachmentBook, STATE_CREATED } from '../src/driver/attachment-book.js';
import { bookSchedule, planDrive } from '../src/driver/plan/drive-plan.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';

export interface BookMemoryResult {
  tracked: number;
  /** heapUsed + external (ArrayBuffers) growth of the book, beyond the plan it shares ids with. */
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
  // The plan of a run of n creates (its shard slice holds the ids the book tracks).
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
  const book = new AttachmentBook(plan.mine.attachments, 600, bookSchedule(plan));
  // Write every field once, as a run does (pages of a fresh array may not be resident yet).
  for (let i = 0; i < n; i++) {
    book.sent[i] = i;
    book.created[i] = i;
    book.addressed[i] = i;
    book.ready[i] = i;
    book.broken[i] = i;
    book.serverImpl[i] = i;
    book.node[i] = i % 600;
    book.mark(i, STATE_CREATED);
  }
  const withBook = used();
  const result: BookMemoryResult = {
    tracked: book.size,
    bookBytes: withBook.heap - withPlan.heap,
    bookRssBytes: withBook.rss - withPlan.rss,
    bookArrayBytes: book.bytes() - book.ids.byteLength,
    planBytes: withPlan.heap - before.heap,
  };
  await writeFileAtomic(process.argv[3] ?? 'book-memory.json', JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  },
);
