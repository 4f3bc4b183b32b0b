/**
 * Receipt handles: opaque to callers like SQS's, but naming the queue, the message and which receive issued them,
 * so a handle from an earlier receive (the message was delivered again since) can be told apart from the latest.
 */
export interface ReceiptHandleParts {
  queue: string;
  messageId: string;
  receiveCount: number;
}

export function encodeReceiptHandle(parts: ReceiptHandleParts): string {
  return Buffer.from(JSON.stringify([parts.queue, parts.messageId, parts.receiveCount])).toString("base64url");
}

/** The parts of a handle, or undefined when the text is not a handle this module issued. */
export function decodeReceiptHandle(handle: string): ReceiptHandleParts | undefined {
  try {
    const parts: unknown = JSON.parse(Buffer.from(handle, "base64url").toString("utf8"));
    if (!Array.isArray(parts) || parts.length !== 3) return undefined;
    const [queue, messageId, receiveCount] = parts as unknown[];
    if (typeof queue !== "string" || typeof messageId !== "string" || typeof receiveCount !== "number") return undefined;
    return { queue, messageId, receiveCount };
  } catch {
    return undefined;
  }
}
