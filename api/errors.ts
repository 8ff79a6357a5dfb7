import type { ZodError } from 'zod';

/** Client-facing error codes; the `error` field of every non-2xx JSON body. */
export type ErrorCode =
  | 'validation'
  | 'malformed_json'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'internal'
  | (string & {});

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `street` or `quotes.enabled`; empty for the whole input. */
  path: string;
  message: string;
}

/**
 * An error a handler or middleware throws to answer with a specific status; `onError` in api/app.ts turns it
 * into `{ error: code, message }`. The message is shown to API clients, so it never carries secrets.
 */
export class HttpError extends Error {
  constructor(
    public readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503,
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message = 'Bad request', code: ErrorCode = 'bad_request', details?: Record<string, unknown>) =>
  new HttpError(400, code, message, details);
export const unauthorized = (message = 'Missing or invalid bearer token') => new HttpError(401, 'unauthorized', message);
export const forbidden = (message = 'Not allowed for this token', code: ErrorCode = 'forbidden') => new HttpError(403, code, message);
export const notFound = (message = 'Not found', code: ErrorCode = 'not_found') => new HttpError(404, code, message);
export const conflict = (message = 'Conflict with the current state', code: ErrorCode = 'conflict', details?: Record<string, unknown>) =>
  new HttpError(409, code, message, details);

/** The value, or a 404 with the message when there is none (a row the request names that does not exist). */
export function orNotFound<T>(value: T | null | undefined, message: string): T {
  if (value === null || value === undefined) throw notFound(message);
  return value;
}

/** zod issues as the API reports them: `{ path, message }`. */
export function validationIssues(error: Pick<ZodError, 'issues'>): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p))).join('.'),
    message: issue.message,
  }));
}

/** Recognises a ZodError without depending on the zod instance that threw it. */
export function isZodError(err: unknown): err is ZodError {
  return (
    err instanceof Error &&
    (err.name === 'ZodError' || err.name === '$ZodError') &&
    Array.isArray((err as { issues?: unknown }).issues)
  );
}
