import http from 'node:http';
import { codecRequestHeaders } from '../../api/codec/codec.access.js';

/**
 * Local development only: the Temporal dev server's Web UI has no login, so it cannot send a support token to
 * the API's codec endpoint. This proxy, bound to 127.0.0.1, forwards the UI's decode/encode calls to `/codec`
 * with the development support token, so whoever runs `npm start` sees decrypted payloads in the UI, as support
 * would; every other client of the API still needs a support or admin token. In production the UI logs people in
 * and forwards their access token instead (docs/production-stack.md, "The Temporal UI and the codec").
 *
 * The UI calls `POST <endpoint>/decode?preserveStorageRefs=true` (and `/encode`) with `Content-Type` and
 * `X-Namespace`, after a CORS preflight from its own origin. As the codec protocol asks, only the last path segment
 * names the operation; the query string is not part of it. The API's answer, a refusal included, is passed on.
 */
export async function startCodecProxy(opts: { port: number; apiUrl: string; supportToken: string; uiOrigins: string[] }): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => void (async () => {
    const origin = req.headers.origin;
    if (origin && opts.uiOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-allow-headers', codecRequestHeaders.join(', '));
      res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
      res.setHeader('access-control-max-age', '600');
    }
    res.setHeader('vary', 'origin');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const op = new URL(req.url ?? '/', 'http://codec.local').pathname.replace(/\/+$/, '').split('/').pop();
    if (req.method !== 'POST' || (op !== 'decode' && op !== 'encode')) return void res.writeHead(404).end();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      const upstream = await fetch(`${opts.apiUrl}/codec/${op}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${opts.supportToken}`,
          'content-type': 'application/json',
          'x-namespace': String(req.headers['x-namespace'] ?? 'default'),
        },
        body: Buffer.concat(chunks),
      });
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(Buffer.from(await upstream.arrayBuffer()));
    } catch {
      res.writeHead(502).end();
    }
  })());
  await new Promise<void>((resolve) => server.listen(opts.port, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => server.close(() => r())) };
}
