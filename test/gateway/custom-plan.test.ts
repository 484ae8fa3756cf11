/**
 * `FRESHDESK_PLAN` with limits Freshdesk granted on request: the budgets use them, the `quota`
 * query shows them, omitted sub-limits scale in Enterprise's proportions, and a malformed value
 * stops the start with a clear message.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { type Stack, withStack } from '../helpers/gateway.ts';

describe('FRESHDESK_PLAN=total=5000,ticketsList=1000', () => {
  let stack: Stack;
  withStack(
    {
      emulator: { plan: { total: 5000, ticketsList: 1000 }, tickets: 100 },
      env: { FRESHDESK_PLAN: 'total=5000,ticketsList=1000' },
    },
    (started) => {
      stack = started;
    },
  );

  it('is used by the budgets and shown by the quota query', async () => {
    const list = await stack.gql('{ tickets(first: 5) { nodes { id } } }');
    expect(list.errors).toBeUndefined();
    const spent = stack.emulator.stats().credits['GET /tickets'] ?? 0;
    expect(spent).toBeGreaterThan(0);
    const result = await stack.gql(
      '{ quota { plan planSource total budgets { name limit used } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      quota: {
        plan: 'custom',
        planSource: 'told',
        total: 5000,
        budgets: [
          { name: 'total', limit: 5000, used: spent },
          { name: 'ticket_create', limit: 2000, used: 0 },
          { name: 'ticket_update', limit: 2000, used: 0 },
          { name: 'tickets_list', limit: 1000, used: spent },
          { name: 'contacts_list', limit: 1428, used: 0 },
        ],
      },
    });
  });
});

describe('FRESHDESK_PLAN values', () => {
  const plan = (value: string) => loadConfig({ FRESHDESK_PLAN: value }).plan;

  it('takes the presets and custom limits', () => {
    expect(plan('pro')).toMatchObject({ name: 'pro', limits: { total: 400, tickets_list: 100 } });
    expect(
      plan('total=1000,ticketCreate=10,ticketUpdate=20,ticketsList=30,contactsList=40'),
    ).toEqual({
      name: 'custom',
      limits: {
        total: 1000,
        ticket_create: 10,
        ticket_update: 20,
        tickets_list: 30,
        contacts_list: 40,
      },
    });
    expect(plan(' total = 70 ')?.limits).toEqual({
      total: 70,
      ticket_create: 28,
      ticket_update: 28,
      tickets_list: 20,
      contacts_list: 20,
    });
  });

  it.each([
    ['total=abc', /FRESHDESK_PLAN: "total=abc" is not one of total=N/],
    ['ticketsList=10', /FRESHDESK_PLAN: total=N is required/],
    ['total=100,ticketsList=200', /tickets_list \(200\) cannot exceed total \(100\)/],
    ['total=100,total=200', /total is given twice/],
    ['total=0', /total must be a whole number of at least 1/],
    ['total=100,burst=5', /"burst=5" is not one of/],
    ['platinum', /FRESHDESK_PLAN: it must be one of trial, growth, pro, enterprise, or total=N/],
  ])('%s stops the start: %s', (value, message) => {
    expect(() => loadConfig({ FRESHDESK_PLAN: value })).toThrow(ConfigError);
    expect(() => loadConfig({ FRESHDESK_PLAN: value })).toThrow(message);
  });
});
