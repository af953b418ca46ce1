import { createServer } from 'node:net';

/**
 * Every TCP port the stack binds. The four public ones are what clients use; the rest are SeaweedFS and
 * Temporal internals that we pin so that two stacks with different port sets never collide on a default.
 */
export interface StackPorts {
  temporal: number;
  temporalUi: number;
  temporalHttp: number;
  temporalMetrics: number;
  postgres: number;
  s3: number;
  s3Grpc: number;
  seaweedMaster: number;
  seaweedMasterGrpc: number;
  seaweedVolume: number;
  seaweedVolumeGrpc: number;
  seaweedFiler: number;
  seaweedFilerGrpc: number;
  /** weed mini's admin server; its gRPC port is always this + SEAWEED_GRPC_OFFSET (see seaweedAdminGrpcPort). */
  seaweedAdmin: number;
}

export type PortName = keyof StackPorts;
export type PublicPorts = Pick<StackPorts, 'temporal' | 'temporalUi' | 'postgres' | 's3'>;

/** The well-known client-facing ports of a default local stack. */
export const DEFAULT_PUBLIC_PORTS: PublicPorts = { temporal: 7233, temporalUi: 8233, postgres: 54329, s3: 8333 };

/**
 * First of the ten consecutive internal ports. Below Linux's ephemeral range (32768+) so an outgoing
 * connection's random local port cannot grab one, and its admin gRPC port (base + 9 + 10000) stays below it too.
 */
export const DEFAULT_INTERNAL_PORT_BASE = 21400;

/** weed mini's plugin worker dials the admin server at admin port + 10000 whatever -admin.port.grpc says. */
export const SEAWEED_GRPC_OFFSET = 10000;

const INTERNAL_PORT_ORDER = [
  'temporalHttp',
  'temporalMetrics',
  's3Grpc',
  'seaweedMaster',
  'seaweedMasterGrpc',
  'seaweedVolume',
  'seaweedVolumeGrpc',
  'seaweedFiler',
  'seaweedFilerGrpc',
  'seaweedAdmin',
] as const satisfies readonly PortName[];

/** How many consecutive ports an internal port base reserves (the admin gRPC port lies 10000 above the last). */
export const INTERNAL_PORT_COUNT = INTERNAL_PORT_ORDER.length;

/** The port the admin server's gRPC endpoint listens on. */
export function seaweedAdminGrpcPort(ports: StackPorts): number {
  return ports.seaweedAdmin + SEAWEED_GRPC_OFFSET;
}

/** Builds a full port set: public ports as given, internal ports at base, base+1, ... in a fixed order. */
export function portsFromBase(publicPorts: PublicPorts, internalBase: number): StackPorts {
  const highest = internalBase + INTERNAL_PORT_COUNT - 1 + SEAWEED_GRPC_OFFSET;
  if (!Number.isInteger(internalBase) || internalBase < 1024 || highest > 65535) {
    throw new RangeError(
      `internal port base must be an integer in 1024..${65535 - SEAWEED_GRPC_OFFSET - INTERNAL_PORT_COUNT + 1}, got ${internalBase}`,
    );
  }
  const internal = Object.fromEntries(INTERNAL_PORT_ORDER.map((name, i) => [name, internalBase + i])) as Omit<
    StackPorts,
    keyof PublicPorts
  >;
  return { ...publicPorts, ...internal };
}

/** True when nothing listens on 127.0.0.1:port (a wildcard or IPv6 dual-stack listener counts as busy). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function allPorts(ports: StackPorts): number[] {
  return [...Object.values(ports), seaweedAdminGrpcPort(ports)];
}

/**
 * Finds a port set whose every port is free right now, for tests that need a private stack. Ports are drawn
 * from [low, high) so that they stay clear of the defaults and of the ephemeral range.
 */
export async function findFreeStackPorts(
  range: { low: number; high: number } = { low: 22000, high: 30000 },
): Promise<StackPorts> {
  const block = INTERNAL_PORT_COUNT + 4;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = range.low + Math.floor(Math.random() * Math.floor((range.high - range.low - block) / block)) * block;
    const ports = portsFromBase(
      { temporal: base + 10, temporalUi: base + 11, postgres: base + 12, s3: base + 13 },
      base,
    );
    const free = await Promise.all(allPorts(ports).map(isPortFree));
    if (free.every(Boolean)) return ports;
  }
  throw new Error(`no free port block found in ${range.low}..${range.high}`);
}
