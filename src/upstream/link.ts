/**
 * Freshdesk's `Link: <https://acme.freshdesk.com/api/v2/tickets?page=2&per_page=100>; rel="next"`.
 * The server writes the next URL back without re-encoding, so we take only its page number and
 * build the next request from our own parameters (freshdesk-api.md section 3).
 */

/** The `page` of the `rel="next"` link, or undefined on the last page. Tolerates spaces and odd order. */
export function nextPageFromLink(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) {
    return undefined;
  }
  for (const part of value.split(/,(?=\s*<)/)) {
    const match = /^\s*<\s*([^>]*?)\s*>\s*((?:;[^;]*)*)$/.exec(part);
    if (!match || !/;\s*rel\s*=\s*"?next"?/i.test(match[2] ?? '')) {
      continue;
    }
    const page = /[?&]page=(\d+)/.exec(match[1] ?? '');
    if (page?.[1]) {
      return Number(page[1]);
    }
  }
  return undefined;
}
