/**
 * The config's alert addresses, each subscribed to the alerts topic by email. SNS sends every address a
 * confirmation link; nothing is delivered to it until someone follows that link.
 */
import * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";

/** Address (as written in the config) → its subscription. */
export function subscribeEmails(scope: Construct, topic: sns.ITopic, emails: readonly string[]): Map<string, sns.Subscription> {
  const subscriptions = new Map<string, sns.Subscription>();
  for (const email of emails) {
    // Keyed by the address, not its position: reordering the list must not replace (and re-confirm) subscriptions.
    // Built in this stack, not with topic.addSubscription, which would put them in the topic's (Ingest's) stack.
    const id = `alert-email-${email.toLowerCase()}`;
    subscriptions.set(email, new sns.Subscription(scope, id, { topic, protocol: sns.SubscriptionProtocol.EMAIL, endpoint: email }));
  }
  return subscriptions;
}
