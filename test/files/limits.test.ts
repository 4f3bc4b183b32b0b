/** The limits of one invocation: defaults that keep existing configs valid, and refusals that name size, limit and setting. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "@tributary/core/config";
import { assertFileFits, describeBytes, FileTooLargeError } from "@tributary/core/files";
import shipped from "../../tributary.config";

const GiB = 1024 ** 3;
const csv = { type: "csv", delimiter: ",", quote: '"', header: true, encoding: "utf8" } as const;

describe("settings.files", () => {
  it("has defaults, so the shipped config (which sets none) stays valid", () => {
    // Act
    const config = parseConfig(shipped);

    // Assess
    expect(config.settings.files).toEqual({ maxBytesPerInvocation: 2 * GiB, maxSpoolBytes: 9 * GiB });
  });

  it("refuses unknown keys and non-positive limits", () => {
    // Act
    const unknown = () => parseConfig({ ...shipped, settings: { files: { maxBytes: 1 } } } as never);
    const zero = () => parseConfig({ ...shipped, settings: { files: { maxSpoolBytes: 0 } } });

    // Assess
    expect(unknown).toThrow(/maxBytes/);
    expect(zero).toThrow(/maxSpoolBytes/);
  });
});

describe("assertFileFits", () => {
  const limits = { maxBytesPerInvocation: 2 * GiB, maxSpoolBytes: GiB };

  it("lets a file within the limits through", () => {
    expect(() => assertFileFits("landing/f/a.csv", 2 * GiB, csv, limits)).not.toThrow();
  });

  it("refuses a file over maxBytesPerInvocation, naming its size, the limit and the setting", () => {
    // Act
    const attempt = () => assertFileFits("landing/f/a.csv", 3 * GiB, csv, limits);

    // Assess
    expect(attempt).toThrow(FileTooLargeError);
    expect(attempt).toThrow(
      'files: "landing/f/a.csv" is too large for one invocation: 3221225472 bytes (3.0 GiB) exceeds settings.files.maxBytesPerInvocation, 2147483648 bytes (2.0 GiB)',
    );
  });

  it("refuses Parquet over maxSpoolBytes, but not CSV of the same size", () => {
    // Act
    const parquet = () => assertFileFits("landing/f/a.parquet", 1.5 * GiB, { type: "parquet" }, limits);
    const text = () => assertFileFits("landing/f/a.csv", 1.5 * GiB, csv, limits);

    // Assess
    expect(parquet).toThrow(/1610612736 bytes \(1\.5 GiB\) exceeds settings\.files\.maxSpoolBytes, 1073741824 bytes \(1\.0 GiB\)/);
    expect(text).not.toThrow();
  });
});

describe("describeBytes", () => {
  it("gives the exact count and a readable size", () => {
    expect([describeBytes(512), describeBytes(1536), describeBytes(20 * GiB)]).toEqual(["512 bytes", "1536 bytes (1.5 KiB)", "21474836480 bytes (20.0 GiB)"]);
  });
});
