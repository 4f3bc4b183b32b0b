/**
 * Golden files of the reports tests: `golden/<case>.input.json` next to `golden/<case>.expected.json`.
 * Run with UPDATE_GOLDEN=1 to rewrite the expected files from what the code does now — then review the diff:
 * an expected file is a reviewed answer, not a recording.
 */
import { readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const GOLDEN_DIR = join(import.meta.dirname, "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

/** Case names (`<prefix>…`) that have an input file, sorted. */
export function goldenCases(prefix: string): string[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.startsWith(prefix) && f.endsWith(".input.json"))
    .map((f) => f.slice(0, -".input.json".length))
    .sort();
}

/** Case names (`<prefix>…`) that have an expected file, sorted. */
export function expectedCases(prefix: string): string[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.startsWith(prefix) && f.endsWith(".expected.json"))
    .map((f) => f.slice(0, -".expected.json".length))
    .sort();
}

export async function readGoldenInput<T>(name: string): Promise<T> {
  return JSON.parse(await readFile(join(GOLDEN_DIR, `${name}.input.json`), "utf8")) as T;
}

/**
 * The expected answer of a case, as JSON (after rewriting it from `actual` when UPDATE_GOLDEN=1). `actual` is
 * passed through JSON too, so both sides compare as what the file can hold.
 */
export async function goldenExpected(name: string, actual: unknown): Promise<{ expected: unknown; actual: unknown }> {
  const path = join(GOLDEN_DIR, `${name}.expected.json`);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (UPDATE) await writeFile(path, text);
  return { expected: JSON.parse(await readFile(path, "utf8")), actual: JSON.parse(text) };
}
