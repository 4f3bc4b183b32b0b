/**
 * One poll per source at a time. The schedule fires every minute, and a poll that runs long (a snapshot, a
 * backlog) must not be joined by a second one; Lambda may also deliver a scheduled event twice. A lease item
 * in `cdc_offsets` (platform/lease) is taken with a conditional write and released at the end; an expired lease
 * (a poller that died) can be taken over.
 */
import type { Ports } from "../platform";
import { acquireLease as acquire, LeaseHeldError } from "../platform/lease";
import { SourceBusyError } from "./errors";

export interface Lease {
  source: string;
  holder: string;
  expiresAt: number;
  release(): Promise<void>;
}

/**
 * @example
 * const lease = await acquireLease(ports, "backend", 300_000);
 * try { … } finally { await lease.release(); }
 */
export async function acquireLease(ports: Ports, source: string, durationMs: number, now = Date.now()): Promise<Lease> {
  try {
    const lease = await acquire(ports, { table: "cdc_offsets", key: `lease#${source}`, durationMs, now, attributes: { source } });
    return { source, holder: lease.holder, expiresAt: lease.expiresAt, release: lease.release };
  } catch (error) {
    if (error instanceof LeaseHeldError) throw new SourceBusyError(source, error.holder, error.expiresAt, { cause: error });
    throw error;
  }
}
