/**
 * The emulator's HTTP front: routing under `/api/v2`, the checks Freshdesk makes before any
 * controller (auth, content negotiation, parsing, strict query parameters, roles), rate limits,
 * fault injection and counters. Handlers only see a validated `EmuRequest`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Automations } from './automations.ts';
import { handleControl, type Stats } from './control.ts';
import { appFaultError, edgeErrorPage, type Fault, type Faults } from './faults.ts';
import {
  ApiError,
  accessDenied,
  type EmuReply,
  type EmuRequest,
  INVALID_FIELD_MESSAGE,
  methodNotAllowed,
  notFound,
  type Route,
  type RouteContext,
  requestError,
  type TicketEvent,
  validationError,
} from './http.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { AgentRecord, EmulatorData } from './records.ts';
import type { Webhooks } from './webhooks.ts';

/** Everything the server needs; built by `startEmulator`. */
export interface EmulatorCore {
  data: EmulatorData;
  routes: readonly Route[];
  limiter: RateLimiter;
  faults: Faults;
  stats: Stats;
  webhooks: Webhooks | null;
  automations: Automations;
  now(): number;
  /** A ticket event; `performer` is the agent whose API call caused it. */
  emit(event: TicketEvent, performer?: AgentRecord): void;
  /** Resets counters and rate windows. */
  resetStats(): void;
  /** Diagnostics (never credentials). */
  log(line: string): void;
}

const API_PREFIX = '/api/v2';
const API_VERSION = 'latest=v2; requested=v2';
const MAX_BODY_BYTES = 25 * 1024 * 1024;
const SERVER_ERROR = { message: "We're sorry, but something went wrong." };
const RATE_LIMITED = { message: 'You have exceeded the limit of requests per minute' };

interface CompiledRoute {
  route: Route;
  key: string;
  segments: string[];
  paramCount: number;
}

type Match =
  | { kind: 'route'; route: Route; key: string; params: Record<string, string> }
  | { kind: 'method'; allow: string[]; key: string }
  | { kind: 'none'; key: string };

/** `:id`, `:ticket_id`, `:folderId`: ids are digits, so `/tickets/abc` is an unknown route. */
const isIdParam = (name: string): boolean => name === 'id' || /(_id|Id)$/.test(name);

function compileRoutes(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const segments = route.path.split('/').filter(Boolean);
    return {
      route,
      key: `${route.method} ${route.path}`,
      segments,
      paramCount: segments.filter((segment) => segment.startsWith(':')).length,
    };
  });
}

function matchSegments(compiled: CompiledRoute, parts: string[]): Record<string, string> | null {
  if (compiled.segments.length !== parts.length) {
    return null;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i += 1) {
    const pattern = compiled.segments[i] as string;
    const part = parts[i] as string;
    if (pattern.startsWith(':')) {
      const name = pattern.slice(1);
      if (isIdParam(name) && !/^\d+$/.test(part)) {
        return null;
      }
      try {
        params[name] = decodeURIComponent(part);
      } catch {
        return null;
      }
    } else if (pattern !== part) {
      return null;
    }
  }
  return params;
}

function matchRoute(compiled: readonly CompiledRoute[], method: string, path: string): Match {
  const parts = path.split('/').filter(Boolean);
  const candidates: { compiled: CompiledRoute; params: Record<string, string> }[] = [];
  for (const entry of compiled) {
    const params = matchSegments(entry, parts);
    if (params) {
      candidates.push({ compiled: entry, params });
    }
  }
  // Literal segments win over parameters (`/agents/me` before `/agents/:id`).
  const same = candidates
    .filter((candidate) => candidate.compiled.route.method === method)
    .sort((a, b) => a.compiled.paramCount - b.compiled.paramCount)[0];
  if (same) {
    return {
      kind: 'route',
      route: same.compiled.route,
      key: same.compiled.key,
      params: same.params,
    };
  }
  if (candidates.length > 0) {
    const first = candidates.sort((a, b) => a.compiled.paramCount - b.compiled.paramCount)[0];
    const allow = [...new Set(candidates.map((candidate) => candidate.compiled.route.method))];
    return { kind: 'method', allow, key: `${method} ${first?.compiled.route.path ?? path}` };
  }
  return { kind: 'none', key: `${method} (unmatched)` };
}

/** Basic auth: an API key as the user name (any password), or an agent's `email:password`. */
function authenticate(data: EmulatorData, header: string | undefined): AgentRecord | undefined {
  const match = header ? /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header) : null;
  if (!match?.[1]) {
    return undefined;
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon === -1 ? decoded : decoded.slice(0, colon);
  const password = colon === -1 ? '' : decoded.slice(colon + 1);
  if (user.includes('@')) {
    // The emulator keeps no passwords: any non-empty one opens an agent's email login.
    if (password === '') {
      return undefined;
    }
    const email = user.toLowerCase();
    for (const agent of data.agents.values()) {
      if (agent.contact.email.toLowerCase() === email) {
        return agent;
      }
    }
    return undefined;
  }
  const agentId = data.apiKeys.get(user);
  return agentId === undefined ? undefined : data.agents.get(agentId);
}

/** A bad %-escape anywhere in the query string (Freshdesk answers `invalid_encoding`). */
function hasBadEncoding(rawQuery: string): boolean {
  for (const part of rawQuery.split('&')) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return true;
    }
  }
  return false;
}

const ACCEPTABLE = /application\/json|\*\/\*|application\/vnd\.freshdesk\.v\d/i;

interface Incoming {
  method: string;
  path: string;
  rawQuery: string;
  req: IncomingMessage;
  body: Buffer;
  match: Match;
  agent: AgentRecord;
  origin: string;
}

/**
 * Runs the request checks in Freshdesk's order, then the handler. Never throws: every failure
 * becomes Freshdesk's answer, and anything that is not an `ApiError` becomes its 500.
 */
function respond(core: EmulatorCore, incoming: Incoming): EmuReply {
  const { req, method, body, match } = incoming;
  try {
    const accept = req.headers.accept;
    if (accept !== undefined && !ACCEPTABLE.test(accept)) {
      throw requestError(
        406,
        'invalid_accept_header',
        `Accept header is set to ${accept}. It should have application/json or */*`,
      );
    }
    const hasBody =
      body.length > 0 ||
      Number(req.headers['content-length'] ?? 0) > 0 ||
      req.headers['transfer-encoding'] !== undefined;
    let parsed: Record<string, unknown> | undefined;
    if ((method === 'POST' || method === 'PUT') && hasBody) {
      const contentType = req.headers['content-type'] ?? '';
      // Freshdesk's interceptor lets multipart and urlencoded through, but these controllers (as
      // emulated) read JSON only; both refusals carry the same answer.
      if (!/^application\/json\s*(;|$)/i.test(contentType)) {
        throw requestError(
          415,
          'invalid_content_type',
          `Content-Type header is set to ${contentType}. It should be set to application/json`,
        );
      }
    }
    if (hasBadEncoding(incoming.rawQuery)) {
      throw requestError(400, 'invalid_encoding', 'Request has an invalid encoding');
    }
    if ((method === 'POST' || method === 'PUT') && body.length > 0) {
      let value: unknown;
      try {
        value = JSON.parse(body.toString('utf8'));
      } catch {
        throw requestError(400, 'invalid_json', 'Request body has invalid json format');
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw requestError(400, 'invalid_json', 'Request body has invalid json format');
      }
      parsed = value as Record<string, unknown>;
    }
    if (match.kind === 'none') {
      throw notFound();
    }
    if (match.kind === 'method') {
      throw methodNotAllowed(method, match.allow);
    }
    const { route } = match;
    const query = new URLSearchParams(incoming.rawQuery);
    const allowed = route.query ?? [];
    const unknown = [...new Set(query.keys())].filter((key) => !allowed.includes(key));
    if (unknown.length > 0) {
      throw validationError(
        unknown.map((field) => ({ field, message: INVALID_FIELD_MESSAGE, code: 'invalid_field' })),
      );
    }
    if (route.admin && !incoming.agent._admin) {
      throw accessDenied();
    }
    const request: EmuRequest = {
      method,
      path: incoming.path,
      params: match.params,
      query,
      body: parsed,
      agent: incoming.agent,
      origin: incoming.origin,
    };
    const context: RouteContext = {
      data: core.data,
      now: () => core.now(),
      emit: (event) => core.emit(event, incoming.agent),
      automations: core.automations,
    };
    return route.handler(request, context);
  } catch (error) {
    if (error instanceof ApiError) {
      return { status: error.status, body: error.body, headers: error.headers };
    }
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    core.log(`emulator: ${method} ${incoming.path} failed: ${reason}`);
    return { status: 500, body: SERVER_ERROR };
  }
}

function hasInvalidField(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('errors' in body)) {
    return false;
  }
  const errors = (body as { errors: unknown }).errors;
  return (
    Array.isArray(errors) &&
    errors.some((error) => (error as { code?: unknown } | null)?.code === 'invalid_field')
  );
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function writeJson(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: unknown,
  truncate = false,
): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  let text = JSON.stringify(body);
  if (truncate) {
    // Cut mid-document so the client's JSON parser fails, as with a connection cut by a proxy.
    text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  }
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function sendReply(
  res: ServerResponse,
  reply: EmuReply,
  requestId: string,
  rateHeaders: Record<string, string>,
  truncate = false,
): void {
  const headers: Record<string, string> = { 'X-Request-Id': requestId, ...rateHeaders };
  if (reply.status !== 404) {
    headers['X-Freshdesk-API-Version'] = API_VERSION;
  }
  Object.assign(headers, reply.headers);
  writeJson(res, reply.status, headers, reply.body, truncate);
}

/** The rate limiter's 429: `Retry-After`, a JSON `message`, no rate-limit headers. */
function send429(res: ServerResponse, requestId: string, retryAfterSeconds: number): void {
  const text = JSON.stringify(RATE_LIMITED);
  res.writeHead(429, {
    'Retry-After': String(retryAfterSeconds),
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'X-Request-Id': requestId,
    'X-Freshdesk-API-Version': API_VERSION,
  });
  res.end(text);
}

/**
 * An injected error answer. The app's 4xx and the 429 are exactly what a real refusal sends (same
 * body, `X-Request-Id`, `X-Freshdesk-API-Version` except on 404, rate-limit headers except on 401
 * and 429); the 500 is the app's JSON; 502/503/504 come from the edge with no Freshdesk headers.
 */
function sendFault(
  res: ServerResponse,
  fault: Extract<Fault, { kind: 'error' }>,
  requestId: string,
  method: string,
  rateHeaders: Record<string, string>,
): void {
  if (fault.status === 429) {
    send429(res, requestId, fault.retryAfterSeconds);
    return;
  }
  const app = appFaultError(fault, method);
  if (app) {
    // A 401 is refused before the rate limiter, as the normal one is: no rate-limit headers.
    const reply = { status: app.status, body: app.body, headers: app.headers };
    sendReply(res, reply, requestId, app.status === 401 ? {} : rateHeaders);
    return;
  }
  if (fault.body === 'json') {
    writeJson(
      res,
      fault.status,
      { 'X-Request-Id': requestId, 'X-Freshdesk-API-Version': API_VERSION },
      SERVER_ERROR,
    );
    return;
  }
  // 502/503/504 come from the edge, not the app: no Freshdesk headers.
  const headers: Record<string, string> = {};
  if (fault.status === 503) {
    headers['Retry-After'] = String(fault.retryAfterSeconds);
  }
  if (fault.body === 'html') {
    const page = edgeErrorPage(fault.status);
    headers['Content-Type'] = 'text/html';
    headers['Content-Length'] = String(Buffer.byteLength(page));
    res.writeHead(fault.status, headers);
    res.end(page);
    return;
  }
  headers['Content-Length'] = '0';
  res.writeHead(fault.status, headers);
  res.end();
}

/** The emulator's HTTP server; `close()` also ends keep-alive, hung and delayed requests. */
export interface EmulatorServer {
  server: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/** Builds the HTTP server around `core`; `listen()` starts it. */
export function createEmulatorServer(core: EmulatorCore): EmulatorServer {
  const compiled = compileRoutes(core.routes);
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? '' : url.slice(queryAt + 1);
    const body = await readBody(req);
    if (rawPath === '/_emulator' || rawPath.startsWith('/_emulator/')) {
      handleControl(core, req, res, rawPath.slice('/_emulator'.length), body);
      return;
    }
    const requestId = randomUUID();
    if (rawPath !== API_PREFIX && !rawPath.startsWith(`${API_PREFIX}/`)) {
      res.writeHead(404, { 'X-Request-Id': requestId });
      res.end();
      return;
    }
    const method = req.method ?? 'GET';
    const path = rawPath.slice(API_PREFIX.length).replace(/\/+$/, '') || '/';
    const match = matchRoute(compiled, method, path);
    const key = match.key;

    const agent = authenticate(core.data, req.headers.authorization);
    if (!agent) {
      const denied = requestError(
        401,
        'invalid_credentials',
        'You have to be logged in to perform this action.',
      );
      sendReply(res, { status: denied.status, body: denied.body }, requestId, {});
      core.stats.record({ key, status: 401, credits: 0, wrote: false, invalidField: false });
      return;
    }

    const metered = match.kind === 'route' ? match.route.metered : undefined;
    const incoming: Incoming = {
      method,
      path,
      rawQuery,
      req,
      body,
      match,
      agent,
      origin: `http://${req.headers.host ?? 'localhost'}`,
    };
    const isWrite = method !== 'GET';
    let reply: EmuReply | undefined;
    let cost = 1;

    const reject429 = (retryAfterSeconds: number) => {
      send429(res, requestId, retryAfterSeconds);
      core.stats.record({ key, status: 429, credits: 0, wrote: false, invalidField: false });
    };

    if (isWrite) {
      // A write's cost is known up front (1); its side effects must not happen when refused.
      const admission = core.limiter.admit(1, metered);
      if (!admission.ok) {
        reject429(admission.retryAfterSeconds);
        return;
      }
    } else {
      // A read is answered first so its full cost (includes) decides the admission.
      reply = respond(core, incoming);
      cost = 1 + (reply.extraCredits ?? 0);
      const admission = core.limiter.admit(cost, metered);
      if (!admission.ok) {
        reject429(admission.retryAfterSeconds);
        return;
      }
    }
    const produceWrite = (): EmuReply => {
      const produced = respond(core, incoming);
      const extra = produced.extraCredits ?? 0;
      if (extra > 0) {
        core.limiter.charge(extra, metered);
        cost += extra;
      }
      return produced;
    };

    const { latencyMs, fault } = core.faults.decide(key);
    if (latencyMs > 0) {
      await sleep(latencyMs);
      if (closed) {
        return;
      }
    }
    const wroteOk = (r: EmuReply | undefined) => isWrite && r !== undefined && r.status < 300;
    if (fault.kind === 'hang' || fault.kind === 'reset' || fault.kind === 'error') {
      // A 429 is Freshdesk's rate limiter refusing before any work: never a write made first.
      const refusedFirst = fault.kind === 'error' && fault.status === 429;
      if (isWrite && core.faults.writesBeforeFault && !refusedFirst) {
        reply = produceWrite();
      }
      const wrote = wroteOk(isWrite ? reply : undefined);
      if (fault.kind === 'hang') {
        // Never answer; `close()` destroys the socket.
        core.stats.record({
          key,
          status: 'hang',
          credits: cost,
          wrote,
          invalidField: false,
          fault: 'hang',
          latency: latencyMs > 0,
        });
        return;
      }
      if (fault.kind === 'reset') {
        core.stats.record({
          key,
          status: 'reset',
          credits: cost,
          wrote,
          invalidField: false,
          fault: 'reset',
          latency: latencyMs > 0,
        });
        req.socket.destroy();
        return;
      }
      sendFault(res, fault, requestId, method, core.limiter.headers(cost));
      core.stats.record({
        key,
        status: fault.status,
        credits: cost,
        wrote,
        invalidField: false,
        fault: 'error',
        latency: latencyMs > 0,
      });
      return;
    }
    if (reply === undefined) {
      reply = produceWrite();
    }
    const truncate = fault.kind === 'malformed' && reply.status < 300 && reply.body !== undefined;
    sendReply(res, reply, requestId, core.limiter.headers(cost), truncate);
    core.stats.record({
      key,
      status: reply.status,
      credits: cost,
      wrote: wroteOk(reply),
      invalidField: hasInvalidField(reply.body),
      fault: truncate ? 'malformed' : undefined,
      latency: latencyMs > 0,
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      core.log(
        `emulator: request failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (!res.headersSent && !res.destroyed) {
        writeJson(res, 500, {}, SERVER_ERROR);
      } else {
        res.destroy();
      }
    });
  });

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    close() {
      closed = true;
      for (const timer of timers) {
        clearTimeout(timer);
      }
      timers.clear();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
