import { z } from 'zod';
import { TEMPORAL_SECURITY_ENV } from '@mirage/local-stack';
import { UserError } from './errors';

// An empty variable means unset, as in most shells' `VAR= mirage up`.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const port = (fallback: number) =>
  z.preprocess(
    (value) => (value === '' || value === undefined ? fallback : value),
    z.coerce
      .number({ error: 'must be a port number' })
      .int('must be an integer port')
      .min(1, 'must be a port in 1..65535')
      .max(65535, 'must be a port in 1..65535'),
  );
const text = (fallback: string) =>
  z.preprocess((value) => (value === '' || value === undefined ? fallback : value), z.string());

const envSchema = z.object({
  /** State dir of the local stack (data, logs, pids, stack.env); default <repo>/.mirage. */
  MIRAGE_HOME: optional(z.string()),
  MIRAGE_TEMPORAL_PORT: port(7233),
  MIRAGE_TEMPORAL_UI_PORT: port(8233),
  MIRAGE_PG_PORT: port(54329),
  MIRAGE_S3_PORT: port(8333),
  MIRAGE_DASHBOARD_PORT: port(8380),
  /** First of the ten consecutive internal ports (Temporal http/metrics, SeaweedFS master/volume/filer/admin/grpc). */
  MIRAGE_PORT_BASE: port(21400),
  MIRAGE_S3_ACCESS_KEY: text('mirage'),
  MIRAGE_S3_SECRET_KEY: text('mirage-secret-key'),
  MIRAGE_S3_BUCKET: text('mirage'),
  /** Set by the user: use these servers as they are instead of starting local ones. */
  DATABASE_URL: optional(z.string()),
  S3_ENDPOINT: optional(z.url({ error: 'must be a URL such as http://127.0.0.1:8333' })),
  S3_REGION: optional(z.string()),
  S3_ACCESS_KEY_ID: optional(z.string()),
  S3_SECRET_ACCESS_KEY: optional(z.string()),
  S3_BUCKET: optional(z.string()),
  TEMPORAL_ADDRESS: optional(z.string()),
  TEMPORAL_NAMESPACE: optional(z.string()),
  /** TLS and API key of a secured Temporal (Temporal's own variable names; see infra/README.md). */
  ...TEMPORAL_SECURITY_ENV,
});

export type CliEnv = z.infer<typeof envSchema>;

/** Validates the environment; the error names the first bad variable and its value. */
export function parseEnv(source: NodeJS.ProcessEnv): CliEnv {
  const parsed = envSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue?.path[0] ?? 'environment');
  throw new UserError(`${name}=${JSON.stringify(source[name] ?? '')}: ${issue?.message ?? 'invalid'}`);
}

let cached: CliEnv | undefined;

/** The environment, parsed once per process. */
export function cliEnv(): CliEnv {
  cached ??= parseEnv(process.env);
  return cached;
}
