/**
 * What both halves of the fake Visma.net read and check the same way: an error carrying the status and the code
 * the service would answer with, JSON and multipart bodies, query strings checked against what an endpoint
 * documents (a parameter the endpoint does not know is refused, so a wrong guess of ours cannot pass unnoticed), and
 * the date formats of the two services.
 */

export class FakeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** ERP: the IPPException fault code; V3: the `x-visma-erp-error-codes` code, e.g. `0002-InvalidLength`. */
    readonly code = '',
    /** V3 validation problems by field (`errors` of SalesOrderValidationProblemDetails). */
    readonly field = '',
  ) {
    super(message);
  }
}

export function parseJsonBody(raw: Buffer): unknown {
  const textBody = raw.toString('utf8');
  if (!textBody.trim()) return null;
  try {
    return JSON.parse(textBody);
  } catch {
    throw new FakeApiError(400, 'The request body is not valid JSON', '0003-InvalidValue');
  }
}

export function bodyObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new FakeApiError(400, 'The request body is empty or not a JSON object', '0003-InvalidValue');
  return body as Record<string, unknown>;
}

/** Refuses query parameters the endpoint does not document; the names compare case-insensitively, as ASP.NET binds them. */
export function checkQuery(query: URLSearchParams, allowed: readonly string[], endpoint: string): void {
  const known = new Set(allowed.map((a) => a.toLowerCase()));
  for (const key of new Set(query.keys())) {
    if (!known.has(key.toLowerCase())) throw new FakeApiError(400, `The query parameter '${key}' is not known on ${endpoint}`, '0003-InvalidValue', key);
  }
}

/** A query parameter by name, case-insensitively; every value when repeated. */
export function queryValues(query: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (const [k, v] of query) if (k.toLowerCase() === name.toLowerCase()) out.push(v);
  return out;
}

export function queryValue(query: URLSearchParams, name: string): string | null {
  return queryValues(query, name)[0] ?? null;
}

/** ERP dates: "2026-01-14", "2026-01-14 13:13:13", "2026-01-14 13:13:13.133" or with a T; read as UTC. */
export function parseErpDate(text: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2})(\.\d{1,3})?)?Z?$/.exec(text.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${m[3] ?? ''}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/** V3 date-times: ISO 8601 with or without an offset; without one it is UTC (the swagger's wording). */
export function parseIsoDateTime(text: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?))?(Z|[+-]\d{2}:\d{2})?$/.exec(text.trim());
  if (!m) return null;
  const time = m[2] ?? '00:00:00';
  const ms = Date.parse(`${m[1]}T${time.length === 5 ? `${time}:00` : time.replace(/(\.\d{3})\d+$/, '$1')}${m[3] ?? 'Z'}`);
  return Number.isNaN(ms) ? null : ms;
}

export interface MultipartPart {
  name: string | null;
  filename: string | null;
  contentType: string;
  data: Buffer;
}

export function parseMultipart(raw: Buffer, contentType: string): MultipartPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!/^multipart\/form-data/i.test(contentType) || !m) return [];
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: MultipartPart[] = [];
  let start = raw.indexOf(delimiter);
  while (start >= 0) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const chunk = raw.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = chunk.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = chunk.subarray(0, headerEnd).toString('utf8');
      const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
      parts.push({
        name: /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? null,
        filename: /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null,
        contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream',
        data: Buffer.from(chunk.subarray(headerEnd + 4)),
      });
    }
    start = next;
  }
  return parts;
}
