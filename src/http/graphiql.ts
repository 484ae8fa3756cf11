/**
 * GraphiQL at `/graphql` in a browser (`DESKGRAPH_GRAPHIQL`), served whole by the gateway:
 * `@graphql-yoga/render-graphiql` bundles GraphiQL's script, styles, editor workers and icon into
 * the one page (Yoga's built-in page loads them from a CDN: a blank page with no internet, behind a
 * corporate proxy, or under a strict Content-Security-Policy). The page makes no request but to
 * the gateway itself (test/gateway/graphiql-browser.test.ts checks it in a headless Chromium).
 *
 * It opens on the example query, with a tab for each common task beside it.
 */
import type { GraphiQLOptions } from 'graphql-yoga';

/** The rendered page per options (they never change in a running gateway): about 9 MB. */
const pages = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

/**
 * Yoga's `renderGraphiQL`: the page rendered on its first request and kept (as bytes, off the
 * heap). The package (9 MB of bundled script) is loaded only then: a gateway whose GraphiQL is
 * never opened, or is off, does not hold it.
 */
export function renderGraphiQL(options: GraphiQLOptions): Promise<Uint8Array<ArrayBuffer>> {
  const key = JSON.stringify(options);
  let page = pages.get(key);
  if (page === undefined) {
    page = import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL: render }) =>
      new TextEncoder().encode(render(options)),
    );
    pages.set(key, page);
  }
  return page;
}

export const EXAMPLE_QUERY = `# Welcome to deskgraph: Freshdesk as a graph.
# Press the run button to fetch the five newest tickets.
# The other tabs hold examples for common tasks.
{
  tickets(first: 5) {
    nodes {
      id
      subject
      status
      priority
      createdAt
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

type Tab = NonNullable<GraphiQLOptions['defaultTabs']>[number];

const tab = (query: string, variables?: Record<string, unknown>): Tab => ({
  query,
  variables: variables === undefined ? null : JSON.stringify(variables, null, 2),
});

/** The tabs GraphiQL opens with (until the browser has tabs of its own stored). */
export const EXAMPLE_TABS: readonly Tab[] = [
  tab(EXAMPLE_QUERY),
  tab(
    `# Tickets with the people on them: one list call (the requester is embedded);
# agents and groups come from the account's lists, cached for a minute.
query TicketsWithPeople($first: Int) {
  tickets(first: $first) {
    nodes {
      id subject status priority
      requester { name email }
      responder { name }
      group { name }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`,
    { first: 10 },
  ),
  tab(
    `# One ticket's thread: replies and notes, oldest first (up to 10 come with the ticket call).
query TicketThread($id: ID!) {
  ticket(id: $id) {
    id subject status descriptionText
    requester { name email }
    conversations(first: 10) {
      nodes {
        id bodyText incoming private createdAt
        author { __typename ... on Agent { name } ... on Contact { name } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
`,
    { id: '1' },
  ),
  tab(
    `# What changed since a time, oldest change first: page with \`after: endCursor\` until
# hasNextPage is false (no 30-day window, no 300-page wall), then keep the last updatedAt.
query TicketsChangedSince($since: DateTime!, $after: String) {
  tickets(first: 100, after: $after, filter: { updatedSince: $since, orderBy: UPDATED_AT, orderDirection: ASC }) {
    nodes { id subject status updatedAt }
    pageInfo { hasNextPage endCursor }
  }
}
`,
    { since: '2024-01-01T00:00:00Z' },
  ),
  tab(
    `# Freshdesk's ticket search (its query language, without the outer quotes); at most 300 matches.
query SearchTickets($query: String!) {
  searchTickets(query: $query, first: 30) {
    totalCount
    nodes { id subject status priority }
    pageInfo { hasNextPage endCursor }
  }
}
`,
    { query: 'priority:3 AND status:2' },
  ),
  tab(`# The account's Freshdesk budget: credits left per budget, and the calls waiting for them.
# Costs no credits once the plan is known.
{
  quota {
    plan total remaining resetAt
    budgets { name limit remaining resetAt }
    queueDepth { interactive explorer bulk webhook }
  }
}
`),
];

/** GraphiQL's options: the title, the example query and the example tabs. */
export function graphiqlOptions(): GraphiQLOptions {
  return { title: 'deskgraph', defaultQuery: EXAMPLE_QUERY, defaultTabs: [...EXAMPLE_TABS] };
}
