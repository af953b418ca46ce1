import type { z } from 'zod';

/** A request the dashboard cannot answer because a parameter is malformed; the message names the parameter. */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}

/** A request for something that is not recorded. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** Parses query parameters (empty values count as absent) or throws BadRequestError naming each bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string>): z.infer<S> {
  const present = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
  throw new BadRequestError(problems.join('; '));
}
