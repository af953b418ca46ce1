import { readFileSync } from 'node:fs';
import { z } from 'zod';

// An empty variable means unset, as in most shells' `VAR= cmd`.
const optionalText = z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional());

/**
 * How a process reaches a secured Temporal server (Temporal Cloud, or a self-hosted one with mTLS): the variable
 * names are Temporal's own environment configuration, so `temporal` CLI settings carry over. Every process (CLI,
 * orchestrator, GPU worker) reads the same ones; with none set, the connection is plaintext, as the local stack's.
 */
export const TEMPORAL_SECURITY_ENV = {
  /** An API key (Temporal Cloud); implies TLS. */
  TEMPORAL_API_KEY: optionalText,
  /** `true` for TLS with the system's CA roots; implied by any other TLS variable or an API key. */
  TEMPORAL_TLS: z.preprocess((value) => (value === '' ? undefined : value), z.enum(['true', 'false']).optional()),
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalText,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalText,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalText,
  /** The name the server's certificate is checked against, when it differs from the address's host. */
  TEMPORAL_TLS_SERVER_NAME: optionalText,
};
export type TemporalSecurityEnv = z.infer<z.ZodObject<typeof TEMPORAL_SECURITY_ENV>>;

/** The TLS and API-key part of a Temporal connection's options (client `Connection` and worker `NativeConnection`). */
export interface TemporalConnectionSecurity {
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

/** A secured-connection setting that cannot be used; the message names the variable (and the file). */
export class TemporalSecurityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalSecurityError';
  }
}

/** The connection security `env` asks for, with the certificate files read; {} for a plaintext connection. */
export function temporalConnectionSecurity(env: TemporalSecurityEnv): TemporalConnectionSecurity {
  const cert = env.TEMPORAL_TLS_CLIENT_CERT_PATH;
  const key = env.TEMPORAL_TLS_CLIENT_KEY_PATH;
  if ((cert === undefined) !== (key === undefined)) {
    throw new TemporalSecurityError(
      'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH must be set together (a client certificate and its key)',
    );
  }
  const ca = env.TEMPORAL_TLS_SERVER_CA_CERT_PATH;
  const implied =
    cert !== undefined ||
    ca !== undefined ||
    env.TEMPORAL_TLS_SERVER_NAME !== undefined ||
    env.TEMPORAL_API_KEY !== undefined;
  if (env.TEMPORAL_TLS === 'false') {
    if (implied)
      throw new TemporalSecurityError(
        'TEMPORAL_TLS=false, but TLS settings or an API key are set too: remove one or the other',
      );
    return {};
  }
  if (env.TEMPORAL_TLS !== 'true' && !implied) return {};
  return {
    tls: {
      ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME } : {}),
      ...(ca ? { serverRootCACertificate: readPem('TEMPORAL_TLS_SERVER_CA_CERT_PATH', ca) } : {}),
      ...(cert && key
        ? {
            clientCertPair: {
              crt: readPem('TEMPORAL_TLS_CLIENT_CERT_PATH', cert),
              key: readPem('TEMPORAL_TLS_CLIENT_KEY_PATH', key),
            },
          }
        : {}),
    },
    ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}),
  };
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TemporalSecurityError(
      `${variable}=${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}
