/** Hand-made works and measurements for the cost-model tests: round numbers, so expected costs can be worked out by hand. */
import type { Assumptions } from "../../bench/cost/assumptions";
import { DEFAULT_ASSUMPTIONS } from "../../bench/cost/assumptions";
import type { Measured } from "../../bench/cost/compare";
import type { FunctionSpecs } from "../../bench/cost/measured";
import { REQUEST_FIELDS, type Linear, type RequestCounts, type Work } from "../../bench/cost/work";

export function work(cpuMs: Partial<Linear>, requests: Partial<Record<keyof RequestCounts, Partial<Linear>>> = {}): Work {
  const full = (l: Partial<Linear> = {}): Linear => ({ perInvocation: l.perInvocation ?? 0, perItem: l.perItem ?? 0 });
  return { cpuMs: full(cpuMs), requests: Object.fromEntries(REQUEST_FIELDS.map((f) => [f, full(requests[f])])) as Work["requests"] };
}

/** The default assumptions with no idle-traffic noise: 730 h months (2,628,000 s). */
export const A: Assumptions = DEFAULT_ASSUMPTIONS;
export const SECONDS_PER_MONTH = 730 * 3600;

export const SPECS: FunctionSpecs = {
  "ga-proxy": { memoryMb: 512, timeoutSeconds: 10 },
  "ga-bronze": { memoryMb: 1024, timeoutSeconds: 30, queue: { queue: "ga-hits", batchSize: 500, batchWindowSeconds: 1 } },
  "ga-forward": { memoryMb: 256, timeoutSeconds: 120, queue: { queue: "ga-forward", batchSize: 10, batchWindowSeconds: 0 } },
  link: { memoryMb: 1024, timeoutSeconds: 120, queue: { queue: "link-requests", batchSize: 10, batchWindowSeconds: 0 } },
  "cdc-poll": { memoryMb: 1024, timeoutSeconds: 300, schedulesPerMonth: 43_800 },
  "file-ingest": { memoryMb: 2048, timeoutSeconds: 900, queue: { queue: "file-notifications", batchSize: 1, batchWindowSeconds: 0 } },
};

export const MEASURED: Measured = {
  ga: {
    proxy: work({ perItem: 0.2 }, { sqsSendCalls: { perItem: 2 }, sqsSendBilled: { perItem: 2 } }),
    bronze: work({ perInvocation: 10, perItem: 0.1 }, { s3Put: { perInvocation: 1 }, s3Get: { perInvocation: 1 }, eventBridgeCalls: { perInvocation: 1 }, eventBridgeBilled: { perInvocation: 1 }, linkAnnouncements: { perInvocation: 1 }, linkDeliveriesBilled: { perInvocation: 1 } }),
    forward: work({ perInvocation: 4, perItem: 3 }, { dynamoCalls: { perItem: 2 }, dynamoWriteUnits: { perItem: 1 }, dynamoReadUnits: { perItem: 1 }, googleRequests: { perItem: 1 } }),
    link: work({ perItem: 2 }, { dynamoCalls: { perItem: 4 }, dynamoWriteUnits: { perItem: 3 }, dynamoReadUnits: { perItem: 1 } }),
    rowsPerHit: 1,
    hitBytes: 1000,
    bronzeBytesPerHit: 100,
  },
  cdc: {
    // One announcement per 1,000 change rows (a poll batch of 1,000 rows).
    poll: work({ perInvocation: 25, perItem: 0.05 }, { linkAnnouncements: { perItem: 0.001 }, linkDeliveriesBilled: { perItem: 0.004 }, sourceQueries: { perInvocation: 10 }, dynamoCalls: { perInvocation: 6 }, dynamoWriteUnits: { perInvocation: 4 }, dynamoReadUnits: { perInvocation: 2 } }),
    readOnly: work({ perItem: 0.015 }),
    link: work({ perItem: 4 }, { dynamoWriteUnits: { perItem: 6 } }),
    rowsPerChange: 1,
    changeBytes: 400,
    bronzeBytesPerChange: 40,
    tables: 2,
  },
  files: {
    // One announcement per file (past 50,000 rows it carries no keys).
    ingest: work({ perInvocation: 20, perItem: 80_000 }, { linkAnnouncements: { perInvocation: 1 }, linkDeliveriesBilled: { perInvocation: 1 }, s3Put: { perInvocation: 3, perItem: 50 }, s3Get: { perInvocation: 4, perItem: 50 } }),
    link: work({ perItem: 1 }, { dynamoWriteUnits: { perItem: 3 } }),
    rowsPerGiB: 13_000_000,
    gzipRatio: 0.27,
    bronzeBytesPerGiB: 300 * 1024 * 1024,
  },
};
