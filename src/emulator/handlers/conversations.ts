import type { Route } from '../http.ts';

export const routes: Route[] = [];
