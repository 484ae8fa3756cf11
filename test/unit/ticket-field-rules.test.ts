import { describe, expect, it } from 'vitest';
import { seedData } from '../../src/emulator/seed.ts';
import { ticketFieldRules } from '../../src/loaders/ticket-fields.ts';
import { checkCustomFields } from '../../src/schema/validation.ts';
import { type RawTicketField, toTicketFieldModel } from '../../src/upstream/ticket-fields.ts';

const rules = ticketFieldRules(
  seedData({ tickets: 0 }).ticketFields.map((f) => toTicketFieldModel(f as RawTicketField)),
);

describe('ticketFieldRules', () => {
  it('reads statuses with labels, custom ones included, plus types, sources and priorities', () => {
    expect(rules.statuses.get(2)?.agentLabel).toBe('Open');
    expect(rules.statuses.get(6)).toEqual({
      agentLabel: 'Waiting on Customer',
      customerLabel: 'Awaiting your Reply',
    });
    expect([...rules.statuses.keys()].sort()).toEqual([2, 3, 4, 5, 6, 7]);
    expect(rules.ticketTypes).toContain('Incident');
    expect(rules.priorities.get('Urgent')).toBe(4);
    expect(rules.sources.get('Email')).toBe(1);
  });

  it('knows custom fields, dropdown choices and the nested levels', () => {
    expect(rules.customFields.get('cf_plan')?.choices).toEqual([
      'Free',
      'Starter',
      'Pro',
      'Enterprise',
    ]);
    expect(rules.customFields.get('cf_version')).toMatchObject({
      level: 3,
      levels: ['cf_product', 'cf_component', 'cf_version'],
    });
  });
});

describe('checkCustomFields', () => {
  it('accepts valid values, a full nested path included', () => {
    expect(
      checkCustomFields(rules, {
        cf_plan: 'Pro',
        cf_vip: true,
        cf_order_number: 'A-1',
        cf_product: 'Widget',
        cf_component: 'Engine',
        cf_version: 'v2',
      }),
    ).toEqual([]);
  });

  it('names unknown keys, wrong types, bad choices and broken nested paths', () => {
    const problems = checkCustomFields(rules, {
      cf_nope: 1,
      cf_vip: 'yes',
      cf_plan: 'Platinum',
      cf_product: 'Gadget',
      cf_component: 'Engine',
    });
    expect(problems.map((p) => [p.field, p.code])).toEqual([
      ['customFields.cf_nope', 'invalid_field'],
      ['customFields.cf_vip', 'datatype_mismatch'],
      ['customFields.cf_plan', 'invalid_value'],
      ['customFields.cf_component', 'invalid_value'],
    ]);
  });

  it('checks a dependent level against the stored parent on update', () => {
    expect(checkCustomFields(rules, { cf_component: 'Battery' }, { cf_product: 'Gadget' })).toEqual(
      [],
    );
    expect(checkCustomFields(rules, { cf_version: 'v1' })[0]?.code).toBe('missing_field');
  });
});
