/** One naming convention for `fieldErrors[].field`: the GraphQL input's names, whoever found the problem. */
import { describe, expect, it } from 'vitest';
import { FieldErrors, inputFieldName } from '../../src/schema/field-errors.ts';

describe('inputFieldName', () => {
  it.each([
    ['email', 'email'],
    ['company_id', 'companyId'],
    ['requester_id', 'requesterId'],
    ['cc_emails', 'ccEmails'],
    ['custom_fields.cf_plan_level', 'customFields.cf_plan_level'],
    ['ratings.question_2', 'ratings.question_2'],
    ['', ''],
  ])("names Freshdesk's %j as %j", (freshdesk, input) => {
    expect(inputFieldName(freshdesk)).toBe(input);
  });
});

describe('FieldErrors', () => {
  it('reports every problem at once as BAD_USER_INPUT', () => {
    const errors = new FieldErrors();
    errors.add('subject', 'It should not be blank', 'missing_field');
    errors.add('customFields.cf_x', 'It should be a/an Integer', 'datatype_mismatch');
    expect(() => errors.check('ticket input')).toThrow(
      expect.objectContaining({
        extensions: {
          code: 'BAD_USER_INPUT',
          fieldErrors: [
            { field: 'subject', message: 'It should not be blank', code: 'missing_field' },
            {
              field: 'customFields.cf_x',
              message: 'It should be a/an Integer',
              code: 'datatype_mismatch',
            },
          ],
        },
      }),
    );
    expect(() => new FieldErrors().check('anything')).not.toThrow();
  });
});
