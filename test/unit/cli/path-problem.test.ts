import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportFailure } from '../../../src/cli/exit.js';
import { pathProblem } from '../../../src/cli/path-problem.js';

function fsError(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`${code}: ${syscall} '${path ?? ''}'`);
  e.code = code;
  e.syscall = syscall;
  if (path !== undefined) e.path = path;
  return e;
}

describe('a file-system refusal on a path', () => {
  it('is one line naming the call, the path, the code and the fix', () => {
    assert.equal(
      pathProblem(fsError('EACCES', 'open', '/srv/out/results.jsonl')),
      'cannot open /srv/out/results.jsonl: EACCES (no permission there: give a path you may write, or change its permissions)',
    );
    assert.match(pathProblem(fsError('ENOSPC', 'write', '/data/x')) ?? '', /no space left on that device/);
    // mkdir -p /dev/null/x
    assert.equal(
      pathProblem(fsError('EEXIST', 'mkdir', '/dev/null')),
      'cannot mkdir /dev/null: EEXIST (a part of that path is a file, not a directory: give a directory path)',
    );
  });

  it('is not claimed for errors that may be bugs: a missing file, no path, not a file-system error', () => {
    assert.equal(pathProblem(fsError('ENOENT', 'open', '/x')), undefined);
    assert.equal(pathProblem(fsError('EEXIST', 'open', '/run/lock')), undefined);
    assert.equal(pathProblem(fsError('EACCES', 'connect')), undefined);
    assert.equal(pathProblem(new TypeError('x is undefined')), undefined);
    assert.equal(pathProblem('EACCES'), undefined);
  });

  it('exits 1 with that line, where an unexpected error exits 70 with its stack', () => {
    const lines: string[] = [];
    assert.equal(
      reportFailure(fsError('EROFS', 'mkdir', '/ro/sweep'), (l) => lines.push(l)),
      1,
    );
    assert.deepEqual(lines, [
      'kos-test: cannot mkdir /ro/sweep: EROFS (that file system is read-only: give a path on a writable one)\n',
    ]);
    assert.equal(
      reportFailure(new Error('boom'), (l) => lines.push(l)),
      70,
    );
    assert.match(lines[1] ?? '', /^kos-test: unexpected error: Error: boom\n {4}at /);
  });
});
