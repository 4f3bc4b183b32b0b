/**
 * The ga-forward entry point: one queue message → one hit → forwardHit with this deployment's endpoint and
 * secrets. Outcomes that must not be acknowledged (an expired hit) throw, so the message stays on the queue
 * and the redrive policy parks it in the DLQ; a hit Google rejects outright (4xx) is sent to the DLQ at once.
 */
import type { Ports } from "../platform";
import { gaApiSecrets } from "./api-secrets";
import { forwardHit, type ForwardOutcome } from "./forward";
import { GaHitSchema } from "./hit";

export class GaHitExpiredError extends Error {
  constructor(readonly hitId: string, receivedAt: string) {
    super(`ga: hit ${hitId} received at ${receivedAt} is past Google's 72 h window; leaving it for the DLQ`);
    this.name = "GaHitExpiredError";
  }
}

/**
 * @example await forwardQueuedHit(ports, record.body) // { outcome: "sent", sentEvents: 3, attempts: 1 }
 */
export async function forwardQueuedHit(ports: Ports, body: string): Promise<ForwardOutcome> {
  const hit = GaHitSchema.parse(JSON.parse(body));
  const secrets = await gaApiSecrets(ports);
  const outcome = await forwardHit(ports, hit, {
    endpoint: ports.settings.gaEndpoint,
    apiSecretFor: async (measurementId) => secrets[measurementId],
    ...(ports.config.ga?.uaForwardTo ? { uaForwardTo: ports.config.ga.uaForwardTo } : {}),
  });
  if (outcome.outcome === "expired") throw new GaHitExpiredError(hit.hitId, hit.receivedAt);
  if (outcome.outcome === "rejected") {
    // Google refused the payload itself: retrying cannot help. Park it in the DLQ with the reason for replay.
    const parked = { ...hit, forwardRejection: outcome.rejection.message };
    await ports.queues.send("ga-forward-dlq", [{ id: hit.hitId, body: JSON.stringify(parked) }]);
  }
  return outcome;
}
