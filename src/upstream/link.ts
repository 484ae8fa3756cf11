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
    if (!match || !relations(match[2] ?? '').includes('next')) {
      continue;
    }
    const page = /[?&]page=(\d+)/.exec(match[1] ?? '');
    if (page?.[1]) {
      return Number(page[1]);
    }
  }
  return undefined;
}

/** The `rel` values of one link's parameters (`; rel="next last"` → `['next', 'last']`). */
function relations(params: string): string[] {
  const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
  return (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}
