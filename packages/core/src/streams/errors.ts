/** Errors of the streams domain; messages start with `streams:` and carry the bad value. */
export class StreamsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StreamsError";
  }
}

export class UnknownStreamError extends StreamsError {
  constructor(readonly stream: string, known: string[]) {
    super(`streams: no stream named "${stream}" (declared: ${known.join(", ") || "none"})`);
    this.name = "UnknownStreamError";
  }
}

/** The request as a whole is unusable (not JSON, wrong shape, too large); `status` is the HTTP answer. */
export class BadRequestError extends StreamsError {
  constructor(readonly status: 400 | 413, message: string) {
    super(`streams: ${message}`);
    this.name = "BadRequestError";
  }
}
