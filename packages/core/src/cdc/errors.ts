/** Errors of the CDC domain. Messages start with `cdc:` and carry the value that was wrong. */
export class CdcError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CdcError";
  }
}

/** An LSN that is not 10 bytes of hex. */
export class InvalidLsnError extends CdcError {
  constructor(readonly value: unknown) {
    super(`cdc: ${JSON.stringify(value)} is not an LSN (expected binary(10) as 20 hex digits)`);
    this.name = "InvalidLsnError";
  }
}

/**
 * The stored offset is older than the oldest change the source still keeps: CDC cleanup removed changes that
 * were never read. Never skipped silently; the source's `onRetentionGap` decides between failing and a re-snapshot.
 */
export class RetentionGapError extends CdcError {
  constructor(
    readonly source: string,
    readonly table: string,
    readonly captureInstance: string,
    readonly offsetLsn: string,
    readonly minLsn: string,
  ) {
    super(
      `cdc: ${source}.${table}: offset ${offsetLsn} is older than the capture instance's min LSN ${minLsn} (${captureInstance}); ` +
        `changes in between were removed by CDC cleanup before they were read. Re-snapshot the table ` +
        `(\`tributary snapshot ${source} --tables ${table}\`) or set onRetentionGap: "resnapshot" on the source.`,
    );
    this.name = "RetentionGapError";
  }
}

/** Another poller advanced the same offset first (conditional write refused); this poll's work is discarded. */
export class OffsetConflictError extends CdcError {
  constructor(readonly offsetKey: string, readonly expectedVersion: number, options?: { cause?: unknown }) {
    super(`cdc: offset ${offsetKey} was advanced by another poller (expected version ${expectedVersion}); not overwriting it`, options);
    this.name = "OffsetConflictError";
  }
}

/** A poll of this source is already running (its lease is held). */
export class SourceBusyError extends CdcError {
  constructor(readonly source: string, readonly holder: string, readonly expiresAt: number, options?: { cause?: unknown }) {
    super(`cdc: source ${source} is being polled by ${holder} until ${new Date(expiresAt).toISOString()}; not starting a second poll`, options);
    this.name = "SourceBusyError";
  }
}

/** The table has no capture instance (CDC not enabled for it, or the instance was dropped). */
export class NoCaptureInstanceError extends CdcError {
  constructor(readonly table: string, readonly captureInstance?: string) {
    super(
      captureInstance
        ? `cdc: capture instance ${captureInstance} of ${table} no longer exists (dropped?) and no newer one was found`
        : `cdc: ${table} has no CDC capture instance; enable CDC for it (sys.sp_cdc_enable_table)`,
    );
    this.name = "NoCaptureInstanceError";
  }
}

/** The source refused or failed a query; the SQL (without values) and the driver's message are kept. */
export class SourceQueryError extends CdcError {
  constructor(readonly operation: string, detail: string, options?: { cause?: unknown }) {
    super(`cdc: ${operation} failed: ${detail}`, options);
    this.name = "SourceQueryError";
  }
}

/** A value from the source that cannot be turned into its canonical form. */
export class SourceValueError extends CdcError {
  constructor(readonly column: string, readonly sqlType: string, readonly value: unknown) {
    super(`cdc: column ${column} (${sqlType}): cannot convert ${String(value)}`);
    this.name = "SourceValueError";
  }
}
