/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Quota {\n  quota {\n    plan\n    total\n    remaining\n    resetAt\n    budgets {\n      name\n      limit\n      remaining\n      resetAt\n    }\n    queueDepth {\n      interactive\n      explorer\n      bulk\n      webhook\n    }\n  }\n}": typeof types.QuotaDocument,
    "query SearchTickets($query: String!, $first: Int = 30, $after: String) {\n  searchTickets(query: $query, first: $first, after: $after) {\n    totalCount\n    nodes {\n      id\n      subject\n      status\n      priority\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.SearchTicketsDocument,
    "query TicketThread($id: ID!, $first: Int = 10) {\n  ticket(id: $id) {\n    id\n    subject\n    status\n    descriptionText\n    requester {\n      id\n      name\n      email\n    }\n    conversations(first: $first) {\n      nodes {\n        id\n        bodyText\n        incoming\n        private\n        createdAt\n        author {\n          __typename\n          ... on Agent {\n            id\n            name\n          }\n          ... on Contact {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}": typeof types.TicketThreadDocument,
    "query TicketsChangedSince($since: DateTime!, $first: Int = 100, $after: String) {\n  tickets(\n    first: $first\n    after: $after\n    filter: {updatedSince: $since, orderBy: UPDATED_AT, orderDirection: ASC}\n  ) {\n    nodes {\n      id\n      subject\n      status\n      updatedAt\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.TicketsChangedSinceDocument,
    "query TicketsWithPeople($first: Int = 10, $after: String) {\n  tickets(first: $first, after: $after) {\n    nodes {\n      id\n      subject\n      status\n      priority\n      updatedAt\n      requester {\n        id\n        name\n        email\n      }\n      responder {\n        id\n        name\n      }\n      group {\n        id\n        name\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.TicketsWithPeopleDocument,
};
const documents: Documents = {
    "query Quota {\n  quota {\n    plan\n    total\n    remaining\n    resetAt\n    budgets {\n      name\n      limit\n      remaining\n      resetAt\n    }\n    queueDepth {\n      interactive\n      explorer\n      bulk\n      webhook\n    }\n  }\n}": types.QuotaDocument,
    "query SearchTickets($query: String!, $first: Int = 30, $after: String) {\n  searchTickets(query: $query, first: $first, after: $after) {\n    totalCount\n    nodes {\n      id\n      subject\n      status\n      priority\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.SearchTicketsDocument,
    "query TicketThread($id: ID!, $first: Int = 10) {\n  ticket(id: $id) {\n    id\n    subject\n    status\n    descriptionText\n    requester {\n      id\n      name\n      email\n    }\n    conversations(first: $first) {\n      nodes {\n        id\n        bodyText\n        incoming\n        private\n        createdAt\n        author {\n          __typename\n          ... on Agent {\n            id\n            name\n          }\n          ... on Contact {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}": types.TicketThreadDocument,
    "query TicketsChangedSince($since: DateTime!, $first: Int = 100, $after: String) {\n  tickets(\n    first: $first\n    after: $after\n    filter: {updatedSince: $since, orderBy: UPDATED_AT, orderDirection: ASC}\n  ) {\n    nodes {\n      id\n      subject\n      status\n      updatedAt\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.TicketsChangedSinceDocument,
    "query TicketsWithPeople($first: Int = 10, $after: String) {\n  tickets(first: $first, after: $after) {\n    nodes {\n      id\n      subject\n      status\n      priority\n      updatedAt\n      requester {\n        id\n        name\n        email\n      }\n      responder {\n        id\n        name\n      }\n      group {\n        id\n        name\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.TicketsWithPeopleDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Quota {\n  quota {\n    plan\n    total\n    remaining\n    resetAt\n    budgets {\n      name\n      limit\n      remaining\n      resetAt\n    }\n    queueDepth {\n      interactive\n      explorer\n      bulk\n      webhook\n    }\n  }\n}"): (typeof documents)["query Quota {\n  quota {\n    plan\n    total\n    remaining\n    resetAt\n    budgets {\n      name\n      limit\n      remaining\n      resetAt\n    }\n    queueDepth {\n      interactive\n      explorer\n      bulk\n      webhook\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SearchTickets($query: String!, $first: Int = 30, $after: String) {\n  searchTickets(query: $query, first: $first, after: $after) {\n    totalCount\n    nodes {\n      id\n      subject\n      status\n      priority\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query SearchTickets($query: String!, $first: Int = 30, $after: String) {\n  searchTickets(query: $query, first: $first, after: $after) {\n    totalCount\n    nodes {\n      id\n      subject\n      status\n      priority\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TicketThread($id: ID!, $first: Int = 10) {\n  ticket(id: $id) {\n    id\n    subject\n    status\n    descriptionText\n    requester {\n      id\n      name\n      email\n    }\n    conversations(first: $first) {\n      nodes {\n        id\n        bodyText\n        incoming\n        private\n        createdAt\n        author {\n          __typename\n          ... on Agent {\n            id\n            name\n          }\n          ... on Contact {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}"): (typeof documents)["query TicketThread($id: ID!, $first: Int = 10) {\n  ticket(id: $id) {\n    id\n    subject\n    status\n    descriptionText\n    requester {\n      id\n      name\n      email\n    }\n    conversations(first: $first) {\n      nodes {\n        id\n        bodyText\n        incoming\n        private\n        createdAt\n        author {\n          __typename\n          ... on Agent {\n            id\n            name\n          }\n          ... on Contact {\n            id\n            name\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TicketsChangedSince($since: DateTime!, $first: Int = 100, $after: String) {\n  tickets(\n    first: $first\n    after: $after\n    filter: {updatedSince: $since, orderBy: UPDATED_AT, orderDirection: ASC}\n  ) {\n    nodes {\n      id\n      subject\n      status\n      updatedAt\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query TicketsChangedSince($since: DateTime!, $first: Int = 100, $after: String) {\n  tickets(\n    first: $first\n    after: $after\n    filter: {updatedSince: $since, orderBy: UPDATED_AT, orderDirection: ASC}\n  ) {\n    nodes {\n      id\n      subject\n      status\n      updatedAt\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TicketsWithPeople($first: Int = 10, $after: String) {\n  tickets(first: $first, after: $after) {\n    nodes {\n      id\n      subject\n      status\n      priority\n      updatedAt\n      requester {\n        id\n        name\n        email\n      }\n      responder {\n        id\n        name\n      }\n      group {\n        id\n        name\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query TicketsWithPeople($first: Int = 10, $after: String) {\n  tickets(first: $first, after: $after) {\n    nodes {\n      id\n      subject\n      status\n      priority\n      updatedAt\n      requester {\n        id\n        name\n        email\n      }\n      responder {\n        id\n        name\n      }\n      group {\n        id\n        name\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;