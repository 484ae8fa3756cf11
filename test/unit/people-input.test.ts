import { describe, expect, it } from 'vitest';
import { contactWriteBody } from '../../src/schema/validation.ts';

describe('contactWriteBody', () => {
  it('sends only the fields given, in Freshdesk names, ids as numbers', () => {
    expect(
      contactWriteBody(
        { name: 'Ada', email: 'ada@x.test', companyId: '50000000001', tags: ['a'] },
        'create',
      ),
    ).toEqual({
      body: { name: 'Ada', email: 'ada@x.test', company_id: 50_000_000_001, tags: ['a'] },
      problems: [],
    });
  });

  it('lets an update clear fields with null, and omits nulls on create', () => {
    expect(contactWriteBody({ email: null, companyId: null }, 'update').body).toEqual({
      email: null,
      company_id: null,
    });
    expect(contactWriteBody({ name: 'B', phone: '1', email: null }, 'create').body).toEqual({
      name: 'B',
      phone: '1',
    });
  });

  it('asks for a name and a way to reach the contact on create', () => {
    expect(contactWriteBody({ name: 'C' }, 'create').problems).toEqual([
      {
        field: 'email',
        code: 'missing_field',
        message: 'Please fill at least 1 of email, phone, mobile fields',
      },
    ]);
    expect(contactWriteBody({ email: 'a@b.test' }, 'create').problems[0]?.field).toBe('name');
    expect(contactWriteBody({ name: null }, 'update').problems[0]?.code).toBe('missing_field');
  });
});
