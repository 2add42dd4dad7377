// Prints each failed test of a node:test TAP log in a few lines (name, file:line, the error's
// first lines), leaving out suites that failed only through their subtests. CI keeps only the
// tail of its output, so this goes last.
import { readFileSync } from 'node:fs';

const ERROR_LINES = 8;
const lines = readFileSync(process.argv[2], 'utf8').split('\n');
const out = [];
for (let i = 0; i < lines.length; i++) {
  const head = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
  if (head === null) continue;
  const indent = head[1].length + 2;
  const fields = new Map();
  let key = '';
  for (let j = i + 2; j < lines.length && !/^\s*\.\.\.$/.test(lines[j]); j++) {
    const field = new RegExp(`^ {${indent}}([A-Za-z]+):\\s?(.*)$`).exec(lines[j]);
    if (field !== null) {
      key = field[1];
      fields.set(key, field[2] === '|-' ? [] : [field[2]]);
    } else if (key !== '') fields.get(key).push(lines[j].trim());
  }
  if (fields.get('failureType')?.[0] === "'subtestsFailed'") continue;
  const error = (fields.get('error') ?? []).filter((l) => l !== '');
  out.push(
    `not ok: ${head[2]}`,
    `  at ${(fields.get('location')?.[0] ?? '?').replace(/'/g, '')}`,
    ...error.slice(0, ERROR_LINES).map((l) => `  ${l}`),
    ...(error.length > ERROR_LINES ? [`  (${error.length - ERROR_LINES} more lines in the log above)`] : []),
  );
}
console.log(out.length === 0 ? 'no failed test found in the log' : out.join('\n'));
