/**
 * A file-system refusal on a path (pure): a file where a directory belongs, no permission, a
 * read-only or full disk. These come from the paths a user gave (--out, --dir, a spec, a report
 * directory) or from the machine, not from a bug, so they get one line naming the path and what
 * to do, and the bad-input exit code, instead of a stack trace.
 */

const FIXES: Readonly<Record<string, string>> = {
  ENOTDIR: 'a part of that path is a file, not a directory: give a directory path',
  EISDIR: 'that path is a directory: give a file path',
  EACCES: 'no permission there: give a path you may write, or change its permissions',
  EPERM: 'not permitted there: give a path you may write, or change its permissions',
  EROFS: 'that file system is read-only: give a path on a writable one',
  ENOSPC: 'no space left on that device: free some, or give a path on another disk',
  ENAMETOOLONG: 'the path is too long: give a shorter one',
  ELOOP: 'the path has a symbolic link loop: give another path',
};

/** The line to print for a file-system refusal on a path; undefined for anything else. */
export function pathProblem(thrown: unknown): string | undefined {
  if (!(thrown instanceof Error)) return undefined;
  const e = thrown as NodeJS.ErrnoException;
  // mkdir -p meets a file where a directory belongs (an exclusive create's EEXIST is the caller's).
  const code = e.code === 'EEXIST' && e.syscall === 'mkdir' ? 'ENOTDIR' : e.code;
  const fix = code === undefined ? undefined : FIXES[code];
  if (fix === undefined || typeof e.path !== 'string') return undefined;
  return `cannot ${e.syscall ?? 'use'} ${e.path}: ${e.code ?? ''} (${fix})`;
}
