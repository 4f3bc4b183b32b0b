/**
 * Golden files: `<dir>/<case>.input.json` next to `<dir>/<case>.expected.json`.
 * Run with UPDATE_GOLDEN=1 to rewrite the expected files from what the code does now — then review the diff:
 * an expected file is a reviewed answer, not a recording.
 */
import { readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

const UPDATE = process.env.UPDATE_GOLDEN === "1";

export function goldenFiles(dir: string) {
  const cases = (prefix: string, suffix: string) =>
    readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith(suffix))
      .map((f) => f.slice(0, -suffix.length))
      .sort();
  return {
    /** Case names (`<prefix>…`) that have an input file, sorted. */
    goldenCases: (prefix: string) => cases(prefix, ".input.json"),
    /** Case names (`<prefix>…`) that have an expected file, sorted. */
    expectedCases: (prefix: string) => cases(prefix, ".expected.json"),
    readGoldenInput: async <T>(name: string): Promise<T> => JSON.parse(await readFile(join(dir, `${name}.input.json`), "utf8")) as T,
    /**
     * The expected answer of a case, as JSON (after rewriting it from `actual` when UPDATE_GOLDEN=1). `actual` is
     * passed through JSON too, so both sides compare as what the file can hold.
     */
    goldenExpected: async (name: string, actual: unknown): Promise<{ expected: unknown; actual: unknown }> => {
      const path = join(dir, `${name}.expected.json`);
      const text = `${JSON.stringify(actual, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
      if (UPDATE) await writeFile(path, text);
      return { expected: JSON.parse(await readFile(path, "utf8")), actual: JSON.parse(text) };
    },
  };
}
