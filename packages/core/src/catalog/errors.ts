/** Errors of the catalog domain. Messages start with `catalog:` and carry the value that was wrong. */
export class CatalogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CatalogError";
  }
}

/**
 * A published table version whose manifest lists a file the view cannot read: missing from the lake, or outside
 * the version's own prefix. Answering from the other files would silently drop rows, so the view is not created.
 */
export class UnreadableTableVersionError extends CatalogError {
  constructor(
    readonly table: string,
    readonly version: string,
    readonly key: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`catalog: ${table} version ${version} lists ${key}, which ${reason}`, options);
    this.name = "UnreadableTableVersionError";
  }
}
