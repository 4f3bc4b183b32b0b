/** Golden files of the reports tests, under `test/reports/golden/` (see `test/support/golden.ts`). */
import { join } from "node:path";
import { goldenFiles } from "../support/golden";

export const GOLDEN_DIR = join(import.meta.dirname, "golden");
export const { goldenCases, expectedCases, readGoldenInput, goldenExpected } = goldenFiles(GOLDEN_DIR);
