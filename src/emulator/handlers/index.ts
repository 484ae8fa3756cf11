import type { Route } from '../http.ts';
import { routes as agents } from './agents.ts';
import { routes as automations } from './automations.ts';
import { routes as companies } from './companies.ts';
import { routes as contacts } from './contacts.ts';
import { routes as conversations } from './conversations.ts';
import { routes as groups } from './groups.ts';
import { routes as satisfactionRatings } from './satisfaction-ratings.ts';
import { routes as search } from './search.ts';
import { routes as solutions } from './solutions.ts';
import { routes as ticketFields } from './ticket-fields.ts';
import { routes as tickets } from './tickets.ts';

/** Every Freshdesk route the emulator serves, below `/api/v2`. */
export const allRoutes: readonly Route[] = [
  ...tickets,
  ...conversations,
  ...contacts,
  ...agents,
  ...companies,
  ...groups,
  ...ticketFields,
  ...solutions,
  ...satisfactionRatings,
  ...search,
  ...automations,
];
