/** `tributary query`: one statement (table or --json), or an interactive prompt. */
import { createInterface } from "node:readline/promises";
import { openLakeQuery } from "@tributary/core/catalog";
import { FileSystemLakeStore } from "@tributary/core/lake";
import { homePaths, type LocalSettings } from "@tributary/core/local";
import { loadConfig } from "./load-config";
import { formatTable } from "./table";

export async function runQuery(settings: LocalSettings, configPath: string, sql: string | undefined, json: boolean): Promise<void> {
  const { config } = await loadConfig(configPath);
  const lake = await openLakeQuery(new FileSystemLakeStore(homePaths(settings.home).lake), config);
  try {
    if (sql) {
      const rows = await lake.query(sql);
      console.log(json ? JSON.stringify(rows, null, 2) : formatTable(rows));
      return;
    }
    console.log(`lake: ${homePaths(settings.home).lake}\ntables: ${Object.keys(lake.tables).join(", ")}\nend statements with ; — exit with .quit or Ctrl-D`);
    const prompt = createInterface({ input: process.stdin, output: process.stdout, prompt: "tributary> " });
    let buffer = "";
    prompt.prompt();
    for await (const line of prompt) {
      if (line.trim() === ".quit") break;
      buffer += `${line}\n`;
      if (buffer.trim().endsWith(";")) {
        try {
          console.log(formatTable(await lake.query(buffer)));
        } catch (error) {
          console.error((error as Error).message);
        }
        buffer = "";
      }
      prompt.prompt();
    }
    prompt.close();
  } finally {
    await lake.close();
  }
}
