/**
 * What keeps web pages from driving the gateway. In the default service mode the gateway holds the
 * account's API key, so any page its user visits could otherwise read and write the helpdesk
 * through `http://127.0.0.1:4000`:
 * - **Origins**: a request carrying an `Origin` header is served only from the gateway's own origin
 *   (GraphiQL) or an origin listed in `DESKGRAPH_CORS_ORIGINS`; CORS headers go to listed origins
 *   only (never with credentials). Every other cross-origin request is refused before anything runs.
 * - **CSRF**: a POST a page can send without a CORS preflight (form-encoded, multipart, `text/plain`)
 *   is refused unless it carries a header a page cannot add without one (graphql-yoga's CSRF
 *   prevention); a GET can only query (Yoga refuses mutations over GET) and its answer cannot be
 *   read cross-origin.
 * - **DNS rebinding**: while the gateway listens on a loopback address, the `Host` header must name
 *   a loopback host (or one listed in `DESKGRAPH_ALLOWED_HOSTS`); a page on `evil.example`
 *   re-pointed at 127.0.0.1 sends `Host: evil.example`.
 */
import type { IncomingMessage } from 'node:http';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { type CORSOptions, createGraphQLError, type Plugin } from 'graphql-yoga';
import { isLoopbackHost } from '../config.ts';

export interface BrowserGuardOptions {
  /** Origins allowed cross-origin access (`DESKGRAPH_CORS_ORIGINS`). */
  corsOrigins: readonly string[];
  /** Host names accepted besides loopback ones while listening on loopback (`DESKGRAPH_ALLOWED_HOSTS`). */
  allowedHosts: readonly string[];
  /** True when the gateway listens on a loopback address: the `Host` header is checked. */
  loopback: boolean;
}

/** The header that lets a non-browser client send a form-encoded or text/plain POST. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

export interface Refusal {
  status: number;
  code: string;
  message: string;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The host name of a `Host` header value (`[::1]:4000` → `::1`, `localhost:4000` → `localhost`). */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
  if (bracketed) {
    return bracketed[1] ?? '';
  }
  return host.replace(/:\d*$/, '').toLowerCase();
}

/** Why this request may not be served (Host or Origin), or undefined when it may. */
export function refuseRequest(
  req: IncomingMessage,
  options: BrowserGuardOptions,
): Refusal | undefined {
  const host = header(req, 'host')?.trim().toLowerCase();
  if (options.loopback && host !== undefined) {
    const name = hostName(host);
    if (!isLoopbackHost(name) && !options.allowedHosts.includes(name)) {
      return {
        status: 403,
        code: 'HOST_NOT_ALLOWED',
        message: `This gateway listens on a loopback address and answers only to loopback host names, not "${name}" (DESKGRAPH_ALLOWED_HOSTS adds others).`,
      };
    }
  }
  const origin = header(req, 'origin')?.trim();
  if (origin === undefined || options.corsOrigins.includes(origin)) {
    return undefined;
  }
  if (host !== undefined && sameHost(origin, host)) {
    return undefined;
  }
  return {
    status: 403,
    code: 'ORIGIN_NOT_ALLOWED',
    message: 'Cross-origin requests are refused unless DESKGRAPH_CORS_ORIGINS lists the origin.',
  };
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    // `null` (sandboxed frames, file://) or garbage: not this gateway's page.
    return false;
  }
}

/** Yoga's `cors` option: CORS headers for listed origins only, never with credentials. */
export function corsFor(options: BrowserGuardOptions): (request: Request) => CORSOptions {
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !options.corsOrigins.includes(origin)) {
      return false;
    }
    return {
      origin: [origin],
      credentials: false,
      methods: ['GET', 'POST'],
      exposedHeaders: ['x-request-id'],
      maxAge: 600,
    };
  };
}

/**
 * graphql-yoga's CSRF prevention for everything but GET and HEAD, its refusal coded
 * `CSRF_HEADER_REQUIRED` (403).
 */
export function useCsrfPrevention(): Plugin {
  const csrf = useCSRFPrevention({ requestHeaders: [CSRF_HEADER] });
  return {
    onRequestParse(payload) {
      const { method } = payload.request;
      if (method === 'GET' || method === 'HEAD') {
        return undefined;
      }
      try {
        return csrf.onRequestParse?.(payload);
      } catch {
        throw createGraphQLError(
          `A form-encoded, multipart or text/plain POST could come from any web page: send application/json, or add the ${CSRF_HEADER} header.`,
          { extensions: { code: 'CSRF_HEADER_REQUIRED', http: { status: 403 } } },
        );
      }
    },
  };
}
