import type { Db } from '@mirage/db';
import type { ArtifactStore } from '@mirage/storage';
import type { Client } from '@temporalio/client';

/** What the control activities need; the worker injects real clients (samples-typescript's DI pattern). */
export interface ActivityDeps {
  db: Db;
  store: ArtifactStore;
  temporal: Client;
  /** How often the progress mirror polls Temporal for the train activity's heartbeat. */
  progressPollMs?: number;
  /** How long a training may wait on a task queue no worker polls before its run says so (default 30 s). */
  unpolledReportMs?: number;
}
