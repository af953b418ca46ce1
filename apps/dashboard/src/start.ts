import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createDb } from '@mirage/db';
import { createArtifactStore } from '@mirage/storage';
import { createApp } from './app';

/** Where the dashboard's S3 artifacts live; the credentials stay on the server, only signed links reach browsers. */
export interface DashboardS3Options {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

/** How to start the dashboard server. */
export interface StartDashboardOptions {
  databaseUrl: string;
  s3: DashboardS3Options;
  /** 0 picks a free port. */
  port: number;
  host: string;
  sweepRefreshSeconds?: number;
}

/** A listening dashboard. */
export interface RunningDashboard {
  url: string;
  close(): Promise<void>;
}

/**
 * Asks Postgres to refuse writes on every connection of the pool (`default_transaction_read_only`), so the
 * dashboard stays read-only even if a bug tried to write.
 */
export function readOnlyConnectionString(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const existing = url.searchParams.get('options');
  url.searchParams.set('options', `${existing ? `${existing} ` : ''}-c default_transaction_read_only=on`);
  return url.toString();
}

/** Opens the database (read-only) and the store, and serves the dashboard on host:port until close(). */
export async function startDashboard(options: StartDashboardOptions): Promise<RunningDashboard> {
  const handle = createDb(readOnlyConnectionString(options.databaseUrl), { maxConnections: 5 });
  // An idle connection dropped by the server (restart, admin) must not take the dashboard down; the pool reconnects.
  handle.pool.on('error', (error) => console.error(`dashboard: idle database connection lost: ${error.message}`));
  const store = createArtifactStore({ ...options.s3, forcePathStyle: true });
  const app = createApp({
    db: handle.db,
    store,
    ...(options.sweepRefreshSeconds !== undefined && { sweepRefreshSeconds: options.sweepRefreshSeconds }),
  });
  let server: ReturnType<typeof serve>;
  try {
    server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (error) {
    store.close();
    await handle.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive sockets (a browser tab) would hold close() open forever.
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        store.close();
        await handle.close();
      })()),
  };
}
