/**
 * Issue 10, break 6: an operation's abort listeners are released and never trip Node's leak
 * warning (`MaxListenersExceededWarning`, printed on stderr 228 times in one benchmark run, which
 * broke the JSON-lines log): 16 fan-out calls under way at once hold 16 listeners on one signal.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Stack, startStack, UNTHROTTLED } from '../helpers/gateway.ts';

let stack: Stack;
const warnings: Error[] = [];
const onWarning = (warning: Error): void => {
  warnings.push(warning);
};

beforeEach(async () => {
  stack = await startStack(UNTHROTTLED);
  process.on('warning', onWarning);
});

afterEach(async () => {
  process.off('warning', onWarning);
  await stack.close();
});

it('prints no MaxListenersExceededWarning with 16 calls under way in one operation, and in many', async () => {
  // Latency keeps the fan-out's calls (30 tickets' conversations, 16 at a time) under way together.
  stack.emulator.setFaults({ latencyMs: 40 });
  const query = '{ tickets(first: 30) { nodes { id conversations(first: 2) { nodes { id } } } } }';
  const answers = await Promise.all(Array.from({ length: 4 }, () => stack.gql(query)));
  for (const answer of answers) {
    expect(answer.errors).toBeUndefined();
  }
  expect(stack.emulator.stats().calls['GET /tickets/:id/conversations']).toBeGreaterThanOrEqual(30);
  // Warnings are emitted on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
});
