/* eslint-disable */
import * as types from './graphql';
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
    "fragment AgentFields on Agent {\n  id\n  name\n  email\n  available\n  occasional\n  createdAt\n  groups {\n    id\n    name\n  }\n}\n\nquery AgentById($id: ID!) {\n  agent(id: $id) {\n    ...AgentFields\n  }\n}\n\nquery AgentsPage($first: Int, $after: String) {\n  agents(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...AgentFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery Me {\n  me {\n    ...AgentFields\n  }\n}": typeof types.AgentFieldsFragmentDoc,
    "fragment ContactFields on Contact {\n  id\n  name\n  email\n  phone\n  mobile\n  active\n  company {\n    id\n    name\n  }\n  tags\n  customFields\n  createdAt\n  updatedAt\n}\n\nquery ContactById($id: ID!) {\n  contact(id: $id) {\n    ...ContactFields\n  }\n}\n\nquery ContactsPage($first: Int, $after: String, $filter: ContactFilter) {\n  contacts(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        ...ContactFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery ContactIdsPage($first: Int, $after: String, $filter: ContactFilter) {\n  contacts(first: $first, after: $after, filter: $filter) {\n    nodes {\n      id\n      name\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation CreateContact($input: CreateContactInput!) {\n  createContact(input: $input) {\n    ...ContactFields\n  }\n}\n\nmutation UpdateContact($id: ID!, $input: UpdateContactInput!) {\n  updateContact(id: $id, input: $input) {\n    ...ContactFields\n  }\n}": typeof types.ContactFieldsFragmentDoc,
    "query Groups {\n  groups {\n    id\n    name\n    description\n    agents {\n      id\n      name\n    }\n  }\n}\n\nquery TicketFields {\n  ticketFields {\n    id\n    name\n    label\n    labelForCustomers\n    type\n    required\n    requiredForClosure\n    position\n    choices\n    nestedFields {\n      name\n      label\n      level\n    }\n  }\n}\n\nquery CompanyById($id: ID!) {\n  company(id: $id) {\n    id\n    name\n    description\n    domains\n    customFields\n    createdAt\n    updatedAt\n  }\n}": typeof types.GroupsDocument,
    "query TicketsFirstPage($first: Int, $after: String) {\n  tickets(first: $first, after: $after) {\n    nodes {\n      id\n      subject\n      status\n      statusCode\n      createdAt\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery TicketById($id: ID!) {\n  ticket(id: $id) {\n    id\n    subject\n    description\n    status\n    priority\n    updatedAt\n  }\n}": typeof types.TicketsFirstPageDocument,
};
const documents: Documents = {
    "fragment AgentFields on Agent {\n  id\n  name\n  email\n  available\n  occasional\n  createdAt\n  groups {\n    id\n    name\n  }\n}\n\nquery AgentById($id: ID!) {\n  agent(id: $id) {\n    ...AgentFields\n  }\n}\n\nquery AgentsPage($first: Int, $after: String) {\n  agents(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...AgentFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery Me {\n  me {\n    ...AgentFields\n  }\n}": types.AgentFieldsFragmentDoc,
    "fragment ContactFields on Contact {\n  id\n  name\n  email\n  phone\n  mobile\n  active\n  company {\n    id\n    name\n  }\n  tags\n  customFields\n  createdAt\n  updatedAt\n}\n\nquery ContactById($id: ID!) {\n  contact(id: $id) {\n    ...ContactFields\n  }\n}\n\nquery ContactsPage($first: Int, $after: String, $filter: ContactFilter) {\n  contacts(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        ...ContactFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery ContactIdsPage($first: Int, $after: String, $filter: ContactFilter) {\n  contacts(first: $first, after: $after, filter: $filter) {\n    nodes {\n      id\n      name\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation CreateContact($input: CreateContactInput!) {\n  createContact(input: $input) {\n    ...ContactFields\n  }\n}\n\nmutation UpdateContact($id: ID!, $input: UpdateContactInput!) {\n  updateContact(id: $id, input: $input) {\n    ...ContactFields\n  }\n}": types.ContactFieldsFragmentDoc,
    "query Groups {\n  groups {\n    id\n    name\n    description\n    agents {\n      id\n      name\n    }\n  }\n}\n\nquery TicketFields {\n  ticketFields {\n    id\n    name\n    label\n    labelForCustomers\n    type\n    required\n    requiredForClosure\n    position\n    choices\n    nestedFields {\n      name\n      label\n      level\n    }\n  }\n}\n\nquery CompanyById($id: ID!) {\n  company(id: $id) {\n    id\n    name\n    description\n    domains\n    customFields\n    createdAt\n    updatedAt\n  }\n}": types.GroupsDocument,
    "query TicketsFirstPage($first: Int, $after: String) {\n  tickets(first: $first, after: $after) {\n    nodes {\n      id\n      subject\n      status\n      statusCode\n      createdAt\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery TicketById($id: ID!) {\n  ticket(id: $id) {\n    id\n    subject\n    description\n    status\n    priority\n    updatedAt\n  }\n}": types.TicketsFirstPageDocument,
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
export function graphql(source: "fragment AgentFields on Agent {\n  id\n  name\n  email\n  available\n  occasional\n  createdAt\n  groups {\n    id\n    name\n  }\n}\n\nquery AgentById($id: ID!) {\n  agent(id: $id) {\n    ...AgentFields\n  }\n}\n\nquery AgentsPage($first: Int, $after: String) {\n  agents(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...AgentFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery Me {\n  me {\n    ...AgentFields\n  }\n}"): (typeof documents)["fragment AgentFields on Agent {\n  id\n  name\n  email\n  available\n  occasional\n  createdAt\n  groups {\n    id\n    name\n  }\n}\n\nquery AgentById($id: ID!) {\n  agent(id: $id) {\n    ...AgentFields\n  }\n}\n\nquery AgentsPage($first: Int, $after: String) {\n  agents(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...AgentFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery Me {\n  me {\n    ...AgentFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ContactFields on Contact {\n  id\n  name\n  email\n  phone\n  mobile\n  active\n  company {\n    id\n    name\n  }\n  tags\n  customFields\n  createdAt\n  updatedAt\n}\n\nquery ContactById($id: ID!) {\n  contact(id: $id) {\n    ...ContactFields\n  }\n}\n\nquery ContactsPage($first: Int, $after: String, $filter: ContactFilter) {\n  contacts(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        ...ContactFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery ContactIdsPage($first: Int, $after: String, $filter: ContactFilter) {\n  contacts(first: $first, after: $after, filter: $filter) {\n    nodes {\n      id\n      name\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation CreateContact($input: CreateContactInput!) {\n  createContact(input: $input) {\n    ...ContactFields\n  }\n}\n\nmutation UpdateContact($id: ID!, $input: UpdateContactInput!) {\n  updateContact(id: $id, input: $input) {\n    ...ContactFields\n  }\n}"): (typeof documents)["fragment ContactFields on Contact {\n  id\n  name\n  email\n  phone\n  mobile\n  active\n  company {\n    id\n    name\n  }\n  tags\n  customFields\n  createdAt\n  updatedAt\n}\n\nquery ContactById($id: ID!) {\n  contact(id: $id) {\n    ...ContactFields\n  }\n}\n\nquery ContactsPage($first: Int, $after: String, $filter: ContactFilter) {\n  contacts(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        ...ContactFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery ContactIdsPage($first: Int, $after: String, $filter: ContactFilter) {\n  contacts(first: $first, after: $after, filter: $filter) {\n    nodes {\n      id\n      name\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation CreateContact($input: CreateContactInput!) {\n  createContact(input: $input) {\n    ...ContactFields\n  }\n}\n\nmutation UpdateContact($id: ID!, $input: UpdateContactInput!) {\n  updateContact(id: $id, input: $input) {\n    ...ContactFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Groups {\n  groups {\n    id\n    name\n    description\n    agents {\n      id\n      name\n    }\n  }\n}\n\nquery TicketFields {\n  ticketFields {\n    id\n    name\n    label\n    labelForCustomers\n    type\n    required\n    requiredForClosure\n    position\n    choices\n    nestedFields {\n      name\n      label\n      level\n    }\n  }\n}\n\nquery CompanyById($id: ID!) {\n  company(id: $id) {\n    id\n    name\n    description\n    domains\n    customFields\n    createdAt\n    updatedAt\n  }\n}"): (typeof documents)["query Groups {\n  groups {\n    id\n    name\n    description\n    agents {\n      id\n      name\n    }\n  }\n}\n\nquery TicketFields {\n  ticketFields {\n    id\n    name\n    label\n    labelForCustomers\n    type\n    required\n    requiredForClosure\n    position\n    choices\n    nestedFields {\n      name\n      label\n      level\n    }\n  }\n}\n\nquery CompanyById($id: ID!) {\n  company(id: $id) {\n    id\n    name\n    description\n    domains\n    customFields\n    createdAt\n    updatedAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TicketsFirstPage($first: Int, $after: String) {\n  tickets(first: $first, after: $after) {\n    nodes {\n      id\n      subject\n      status\n      statusCode\n      createdAt\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery TicketById($id: ID!) {\n  ticket(id: $id) {\n    id\n    subject\n    description\n    status\n    priority\n    updatedAt\n  }\n}"): (typeof documents)["query TicketsFirstPage($first: Int, $after: String) {\n  tickets(first: $first, after: $after) {\n    nodes {\n      id\n      subject\n      status\n      statusCode\n      createdAt\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery TicketById($id: ID!) {\n  ticket(id: $id) {\n    id\n    subject\n    description\n    status\n    priority\n    updatedAt\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;