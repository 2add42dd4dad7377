/** The one ^C and SIGTERM model (src/cli/interrupt.ts): each signal's next step, from each step. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextLevel, type InterruptLevel, type InterruptSignal } from '../../../src/cli/interrupt.js';

describe('a signal moves a command to its next stop level', () => {
  const cases: [InterruptLevel, InterruptSignal, InterruptLevel][] = [
    ['running', 'SIGINT', 'stop'],
    ['running', 'SIGTERM', 'now'],
    ['stop', 'SIGINT', 'now'],
    ['stop', 'SIGTERM', 'now'],
    ['now', 'SIGINT', 'exit'],
    ['now', 'SIGTERM', 'exit'],
    ['exit', 'SIGINT', 'exit'],
  ];
  for (const [from, signal, to] of cases)
    it(`${signal} while ${from}: ${to}`, () => {
      assert.equal(nextLevel(from, signal), to);
    });
});
