/**
 * A proxy in front of the emulator that passes every call through and rewrites the 2xx bodies of
 * the routes it is told to: garbage from upstream that is otherwise exactly Freshdesk's answer (real
 * records, real headers, real `X-Request-Id`), for one endpoint at a time. Each request is recorded.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';

export interface MangleRule {
  method: string;
  /** Matched against the path without its query, e.g. `/^\/api\/v2\/tickets\/\d+$/`. */
  route: RegExp;
  /** The body to send instead of the parsed 2xx answer (JSON text, or anything at all). */
  mangle: (body: unknown) => string;
}

export interface ManglingProxy {
  origin: string;
  /** `METHOD /path?query` of every request, in order. */
  requests: string[];
  /** The rules in force (the first that matches a request applies). */
  rules: MangleRule[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding']);

export async function startManglingProxy(upstream: string): Promise<ManglingProxy> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const proxy: ManglingProxy = { origin: '', requests, rules: [], close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      requests.push(`${method} ${url}`);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (!HOP_BY_HOP.has(name) && typeof value === 'string') {
          headers[name] = value;
        }
      }
      try {
        const answer = await request(`${upstream}${url}`, {
          method: method as 'GET',
          headers,
          body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
        });
        let text = await answer.body.text();
        const pathname = url.split('?')[0] ?? url;
        const rule = proxy.rules.find((r) => r.method === method && r.route.test(pathname));
        if (rule && answer.statusCode >= 200 && answer.statusCode < 300) {
          text = rule.mangle(text === '' ? null : JSON.parse(text));
        }
        const out: Record<string, string> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (!HOP_BY_HOP.has(name) && value !== undefined) {
            out[name] = Array.isArray(value) ? value.join(', ') : value;
          }
        }
        out['content-length'] = String(Buffer.byteLength(text));
        res.writeHead(answer.statusCode, out);
        res.end(text);
      } catch {
        res.socket?.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  proxy.origin = `http://127.0.0.1:${port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) {
        socket.destroy();
      }
      server.close(() => resolve());
    });
  return proxy;
}
