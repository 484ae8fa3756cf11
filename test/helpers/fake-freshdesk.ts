/**
 * A tiny scripted Freshdesk on a real loopback socket, for what the emulator cannot produce: an
 * exact status with Freshdesk's body for it, an edge's HTML page, a body cut short, a body that
 * trickles, an answer that never comes, a reset. Each request is recorded, so tests count attempts.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type FakeAnswer =
  | { status: number; headers?: Record<string, string>; body?: string | object }
  /** Destroy the socket without answering. */
  | { kind: 'reset' }
  /** Never answer (until the server closes). */
  | { kind: 'hang' }
  /** Send the headers (with a Content-Length for the whole body), half the body, then reset. */
  | { kind: 'cut'; status: number; body: string }
  /** Send the body in pieces, `intervalMs` apart. */
  | { kind: 'trickle'; status: number; chunks: string[]; intervalMs: number };

export type FakeHandler = (request: FakeRequest, index: number) => FakeAnswer;

export interface FakeFreshdesk {
  origin: string;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** Replaces the handler. */
  respond(handler: FakeHandler): void;
  close(): Promise<void>;
}

export async function startFakeFreshdesk(handler: FakeHandler): Promise<FakeFreshdesk> {
  let current = handler;
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      answer(res, current(request, requests.length - 1), timers);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    respond: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) {
          clearTimeout(timer);
        }
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

function answer(res: ServerResponse, reply: FakeAnswer, timers: Set<NodeJS.Timeout>): void {
  if ('kind' in reply) {
    switch (reply.kind) {
      case 'reset':
        res.socket?.destroy();
        return;
      case 'hang':
        return;
      case 'cut': {
        res.writeHead(reply.status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(reply.body)),
        });
        res.write(reply.body.slice(0, Math.floor(reply.body.length / 2)));
        const timer = setTimeout(() => res.socket?.destroy(), 20);
        timers.add(timer);
        return;
      }
      case 'trickle': {
        res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' });
        const chunks = [...reply.chunks];
        const next = (): void => {
          const chunk = chunks.shift();
          if (chunk === undefined) {
            res.end();
            return;
          }
          res.write(chunk);
          const timer = setTimeout(next, reply.intervalMs);
          timers.add(timer);
        };
        next();
        return;
      }
    }
  }
  const body =
    reply.body === undefined
      ? ''
      : typeof reply.body === 'string'
        ? reply.body
        : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(typeof reply.body === 'object'
      ? { 'content-type': 'application/json; charset=utf-8' }
      : {}),
    'x-request-id': `fake-${reply.status}`,
    'content-length': String(Buffer.byteLength(body)),
    ...reply.headers,
  });
  res.end(body);
}

/** A validation body as Freshdesk writes it. */
export const validationBody = (
  errors: { field: string; message: string; code: string; additional_info?: object }[],
): object => ({ description: 'Validation failed', errors });

/** Freshdesk's real answer for each status of the contract's table (freshdesk-api.md section 6). */
export function freshdeskAnswer(status: number): FakeAnswer {
  const json = (body: object, headers: Record<string, string> = {}): FakeAnswer => ({
    status,
    body,
    headers: { 'x-freshdesk-api-version': 'latest=v2; requested=v2', ...headers },
  });
  switch (status) {
    case 400:
      return json(
        validationBody([
          { field: 'email', message: 'It should be a valid email address', code: 'invalid_value' },
        ]),
      );
    case 401:
      return json({
        code: 'invalid_credentials',
        message: 'You have to be logged in to perform this action.',
      });
    case 403:
      return json({
        code: 'access_denied',
        message: 'You are not authorized to perform this action.',
      });
    case 404:
      return { status: 404, body: '' };
    case 405:
      return json(
        { message: 'PUT method is not allowed. It should be one of these method(s): GET' },
        { allow: 'GET' },
      );
    case 406:
      return json({
        code: 'invalid_accept_header',
        message: 'Accept header is set to text/xml. It should have application/json or */*',
      });
    case 409:
      return json(
        validationBody([
          {
            field: 'email',
            additional_info: { user_id: 42 },
            message: 'It should be a unique value',
            code: 'duplicate_value',
          },
        ]),
      );
    case 415:
      return json({
        code: 'invalid_content_type',
        message: 'Content-Type header is set to text/plain. It should be set to application/json',
      });
    case 429:
      return json(
        { message: 'You have exceeded the limit of requests per minute' },
        { 'retry-after': '37' },
      );
    case 500:
      return json({ message: "We're sorry, but something went wrong." });
    case 502:
    case 504:
      return {
        status,
        headers: { 'content-type': 'text/html' },
        body: `<html>\r\n<head><title>${status}</title></head>\r\n<body><center><h1>${status}</h1></center></body>\r\n</html>\r\n`,
      };
    case 503:
      return { status, headers: { 'retry-after': '12' }, body: '' };
    default:
      return { status, body: '' };
  }
}
