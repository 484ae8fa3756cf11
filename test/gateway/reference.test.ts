/**
 * Reference data over real sockets: ticket fields and companies against the emulator's data, and
 * the ticket-field cache (one call cold, none warm, per credential).
 */
import { describe, expect, it } from 'vitest';
import { CompanyByIdDocument, TicketFieldsDocument } from '../gql/graphql.ts';
import { type Stack, withStack } from '../helpers/gateway.ts';

describe('reference data', () => {
  let stack: Stack;
  withStack({ emulator: { tickets: 20, rateLimit: false } }, (started) => {
    stack = started;
  });

  it('resolves every TicketField field, custom statuses and nested levels included', async () => {
    const result = await stack.gql(TicketFieldsDocument);
    expect(result.errors).toBeUndefined();
    const fields = result.data?.ticketFields ?? [];
    const records = stack.emulator.data.ticketFields;
    expect(fields.map((f) => f.id)).toEqual(records.map((r) => String(r.id)));
    fields.forEach((field, i) => {
      const record = records[i];
      expect(field).toEqual({
        id: String(record?.id),
        name: record?.name,
        label: record?.label,
        labelForCustomers: record?.label_for_customers,
        type: record?.type,
        required: record?.required_for_agents,
        requiredForClosure: record?.required_for_closure,
        position: record?.position,
        choices: record?.choices ?? null,
        nestedFields: (record?.nested_ticket_fields ?? []).map(({ name, label, level }) => ({
          name,
          label,
          level,
        })),
      });
    });
    const status = fields.find((f) => f.type === 'default_status');
    expect(status?.choices).toMatchObject({ '6': [expect.any(String), expect.any(String)] });
    const nested = fields.find((f) => f.type === 'nested_field');
    expect(nested?.nestedFields.map((n) => n.level)).toEqual([2, 3]);
    expect(stack.emulator.stats().calls).toEqual({ 'GET /ticket_fields': 1 });
  });

  it('reuses the ticket fields across requests', async () => {
    await stack.gql(TicketFieldsDocument);
    stack.emulator.resetStats();
    const warm = await stack.gql(TicketFieldsDocument);
    expect(warm.data?.ticketFields.length).toBe(stack.emulator.data.ticketFields.length);
    expect(stack.emulator.stats().totalCalls).toBe(0);
  });

  it('resolves every Company field', async () => {
    const record = [...stack.emulator.data.companies.values()].find((c) => c.domains.length > 0);
    expect(record).toBeDefined();
    const result = await stack.gql(CompanyByIdDocument, { id: String(record?.id) });
    expect(result.errors).toBeUndefined();
    expect(result.data?.company).toEqual({
      id: String(record?.id),
      name: record?.name,
      description: record?.description,
      domains: record?.domains,
      customFields: record?.custom_fields,
      createdAt: record?.created_at,
      updatedAt: record?.updated_at,
    });
    expect(Number(result.data?.company?.id)).toBeGreaterThan(2 ** 32);
    const missing = await stack.gql(CompanyByIdDocument, { id: '99999999999' });
    expect(missing.data?.company).toBeNull();
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // The company list (40 companies, one page) answers the first; an id it lacks is asked by id.
    expect(stack.emulator.stats().calls).toEqual({ 'GET /companies': 1, 'GET /companies/:id': 1 });
  });

  it('serves companies from the cached company list: no call while it is fresh', async () => {
    const [a, b] = [...stack.emulator.data.companies.values()];
    const result = await stack.gql<Record<string, { name: string }>>(
      `{ x: company(id: "${a?.id}") { name } y: company(id: "${a?.id}") { name } z: company(id: "${b?.id}") { name } }`,
    );
    expect(result.data?.x?.name).toBe(a?.name);
    expect(result.data?.z?.name).toBe(b?.name);
    expect(stack.emulator.stats().calls).toEqual({});
  });
});
