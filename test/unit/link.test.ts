import { describe, expect, it } from 'vitest';
import { nextPageFromLink } from '../../src/upstream/link.ts';

describe('nextPageFromLink', () => {
  it("reads the next page of Freshdesk's header", () => {
    expect(
      nextPageFromLink(
        '<https://acme.freshdesk.com/api/v2/tickets?page=2&per_page=100>; rel="next"',
      ),
    ).toBe(2);
  });

  it('tolerates the spaces the doc shows and none at all', () => {
    expect(nextPageFromLink('< https://a.freshdesk.com/api/v2/tickets?page=3 >;rel="next"')).toBe(
      3,
    );
    expect(nextPageFromLink('<https://a.freshdesk.com/api/v2/tickets?page=4>;rel=next')).toBe(4);
    expect(nextPageFromLink('<https://a.freshdesk.com/x?page=5> ; REL = "next"')).toBe(5);
  });

  it('does not mistake per_page for page', () => {
    expect(nextPageFromLink('<https://a.freshdesk.com/x?per_page=100&page=7>; rel="next"')).toBe(7);
    expect(
      nextPageFromLink('<https://a.freshdesk.com/x?per_page=100>; rel="next"'),
    ).toBeUndefined();
  });

  it('picks rel=next among several links and rel lists', () => {
    const header =
      '<https://a.freshdesk.com/x?page=1>; rel="prev", <https://a.freshdesk.com/x?page=3>; rel="next last"';
    expect(nextPageFromLink(header)).toBe(3);
    expect(
      nextPageFromLink(['<https://a/x?page=1>; rel="prev"', '<https://a/x?page=9>; rel="next"']),
    ).toBe(9);
  });

  it('keeps unencoded query values (the server does not re-encode) from confusing it', () => {
    expect(
      nextPageFromLink(
        '<https://a.freshdesk.com/x?email=a+b@c.com&updated_since=2020-01-01T00:00:00Z&page=12>; rel="next"',
      ),
    ).toBe(12);
  });

  it('returns undefined on the last page or for garbage', () => {
    expect(nextPageFromLink(undefined)).toBeUndefined();
    expect(nextPageFromLink('')).toBeUndefined();
    expect(nextPageFromLink('<https://a/x?page=1>; rel="prev"')).toBeUndefined();
    expect(nextPageFromLink('not a link header')).toBeUndefined();
    expect(nextPageFromLink('<https://a/x?page=abc>; rel="next"')).toBeUndefined();
  });
});
