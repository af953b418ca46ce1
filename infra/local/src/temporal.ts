import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import type { StackPorts } from './ports';
import type { ServiceSpec } from './service';

export interface TemporalServiceOptions {
  stateDir: string;
  binDir: string;
  ports: StackPorts;
  /** host:port of a Temporal server the user runs; nothing is started then. */
  externalAddress?: string;
  namespace: string;
}

/** The Temporal dev server (SQLite-backed, persistent across restarts) with its Web UI. */
export function createTemporalService(options: TemporalServiceOptions): ServiceSpec {
  const { ports } = options;
  const address = options.externalAddress ?? `127.0.0.1:${ports.temporal}`;
  const uiUrl = options.externalAddress ? '' : `http://127.0.0.1:${ports.temporalUi}`;
  const dataDir = join(options.stateDir, 'temporal');
  return {
    name: 'temporal',
    address,
    external: options.externalAddress !== undefined,
    ...(uiUrl ? { uiUrl } : {}),
    ports: [
      { port: ports.temporal, key: 'temporal' },
      { port: ports.temporalUi, key: 'temporalUi' },
      { port: ports.temporalHttp, key: 'temporalHttp' },
      { port: ports.temporalMetrics, key: 'temporalMetrics' },
    ],
    stopSignal: 'SIGTERM',
    command: () => ({
      command: join(options.binDir, 'temporal'),
      args: [
        'server', 'start-dev',
        '--ip', '127.0.0.1',
        '--port', String(ports.temporal),
        '--ui-port', String(ports.temporalUi),
        '--http-port', String(ports.temporalHttp),
        '--metrics-port', String(ports.temporalMetrics),
        '--db-filename', join(dataDir, 'temporal.db'),
        // WAL with synchronous=normal survives a killed server (only a power loss can drop the last commits) and
        // halves what each workflow task costs the dev server: 275 -> 131 ms of orchestration per run in
        // apps/orchestrator/bench/sweep-overhead.ts on the 2-core machine.
        '--sqlite-pragma', 'journal_mode=wal',
        '--sqlite-pragma', 'synchronous=normal',
        '--ui-disable-news-fetch',
        '--log-level', 'warn',
      ],
    }),
    prepare: async () => {
      await mkdir(dataDir, { recursive: true });
    },
    // The dev server accepts connections before it has registered the namespace; a client needs both.
    health: async (timeoutMs) => {
      const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
      try {
        await connection.withDeadline(Date.now() + timeoutMs, () =>
          connection.workflowService.describeNamespace({ namespace: options.namespace }),
        );
      } finally {
        await connection.close();
      }
    },
    env: {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: options.namespace,
      ...(uiUrl ? { TEMPORAL_UI_URL: uiUrl } : {}),
    },
  };
}
