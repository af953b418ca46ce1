import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { devServerSearchAttributeArgs, SEARCH_ATTRIBUTE_NAMES } from '@mirage/contracts/workflow';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { StackPorts } from './ports';
import type { ServiceSpec } from './service';

const { IndexedValueType } = proto.temporal.api.enums.v1;

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
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(ports.temporal),
        '--ui-port',
        String(ports.temporalUi),
        '--http-port',
        String(ports.temporalHttp),
        '--metrics-port',
        String(ports.temporalMetrics),
        '--db-filename',
        join(dataDir, 'temporal.db'),
        // WAL with synchronous=normal survives a killed server (only a power loss can drop the last commits) and
        // halves what each workflow task costs the dev server: 275 -> 131 ms of orchestration per run in
        // apps/orchestrator/bench/sweep-overhead.ts on the 2-core machine.
        '--sqlite-pragma',
        'journal_mode=wal',
        '--sqlite-pragma',
        'synchronous=normal',
        // Sweeps and runs carry these (MirageExperiment, MirageSweep, MirageMethod, MirageUser: Keyword), so they
        // can be listed by experiment, sweep, method or user. The dev server registers them only in a new database;
        // ready() adds them to one that predates them.
        ...devServerSearchAttributeArgs(),
        '--ui-disable-news-fetch',
        '--log-level',
        'warn',
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
    // Search attributes a database created before they were added to the command line lacks (start-dev ignores
    // --search-attribute for an existing database). Only on the server this stack runs, never an external one.
    ready: async (timeoutMs) => {
      const connection = await Connection.connect({ address, connectTimeout: timeoutMs });
      try {
        await connection.withDeadline(Date.now() + timeoutMs, async () => {
          const { customAttributes } = await connection.operatorService.listSearchAttributes({
            namespace: options.namespace,
          });
          const missing = SEARCH_ATTRIBUTE_NAMES.filter((name) => !customAttributes?.[name]);
          if (missing.length === 0) return;
          await connection.operatorService.addSearchAttributes({
            namespace: options.namespace,
            searchAttributes: Object.fromEntries(
              missing.map((name) => [name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
            ),
          });
        });
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
