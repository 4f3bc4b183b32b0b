/**
 * Validating a config: the zod schema first, then the cross-references zod cannot see (a link key a dataset
 * names must be declared, a partition column must exist and be a time, dataset names are unique, …).
 * Every problem is reported as `path: message`, e.g. `sources[0].tables[1].primaryKey: required`.
 */
import { z } from "zod";
import { ConfigSchema, type ConfigInput, type TributaryConfig } from "./schema";
import { datasets } from "./datasets";
import { InvalidConfigError } from "./errors";

/** Typed identity for `tributary.config.ts`: gives editor completion; validation happens in `parseConfig`. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}

/**
 * Validates a config and fills in defaults, or throws `InvalidConfigError` listing every problem by path.
 *
 * @example parseConfig({ streams: [{ name: "clicks", columns: { id: "string" } }] }).streams[0].maxBatchRecords // 500
 */
export function parseConfig(input: unknown, origin = "tributary.config.ts"): TributaryConfig {
  const result = ConfigSchema.safeParse(input, {
    error: (issue) => (issue.code === "invalid_type" && issue.input === undefined ? "required" : undefined),
  });
  if (!result.success) throw new InvalidConfigError(result.error.issues.map(formatIssue), origin);
  const problems = crossReferenceProblems(result.data);
  if (problems.length > 0) throw new InvalidConfigError(problems, origin);
  return result.data;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  return `${formatPath(issue.path)}: ${issue.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out || "(root)";
}

interface DeclaredDataset {
  path: string;
  name: string;
  columns: Record<string, string | { type: string; pii?: string }>;
  partitionTime?: string;
  linkKeys: Record<string, string>;
  keyColumns: { field: string; columns: string[] }[];
}

function declaredDatasets(config: TributaryConfig): DeclaredDataset[] {
  const out: DeclaredDataset[] = [];
  config.sources.forEach((source, s) =>
    source.tables.forEach((t, i) =>
      out.push({ ...t, path: `sources[${s}].tables[${i}]`, keyColumns: [{ field: "primaryKey", columns: t.primaryKey }] }),
    ),
  );
  config.feeds.forEach((f, i) =>
    out.push({ ...f, path: `feeds[${i}]`, keyColumns: [{ field: "primaryKey", columns: f.primaryKey ?? [] }] }),
  );
  config.streams.forEach((st, i) =>
    out.push({ ...st, path: `streams[${i}]`, keyColumns: [{ field: "idColumn", columns: st.idColumn ? [st.idColumn] : [] }] }),
  );
  return out;
}

function crossReferenceProblems(config: TributaryConfig): string[] {
  const problems: string[] = [];
  const all = declaredDatasets(config);
  const seen = new Map<string, string>(config.ga ? [["ga_events", "ga"]] : []);
  for (const d of all) {
    const earlier = seen.get(d.name);
    if (earlier) problems.push(`${d.path}.name: dataset "${d.name}" is already declared at ${earlier}`);
    seen.set(d.name, d.path);
    const typeOf = (c: string) => {
      const spec = d.columns[c];
      return spec === undefined ? undefined : typeof spec === "string" ? spec : spec.type;
    };
    for (const { field, columns } of d.keyColumns) {
      for (const c of columns) {
        if (!typeOf(c)) problems.push(`${d.path}.${field}: column "${c}" is not declared in columns`);
      }
    }
    if (d.partitionTime !== undefined) {
      const t = typeOf(d.partitionTime);
      if (!t) problems.push(`${d.path}.partitionTime: column "${d.partitionTime}" is not declared in columns`);
      else if (t !== "timestamp" && t !== "date") {
        problems.push(`${d.path}.partitionTime: column "${d.partitionTime}" is ${t}; it must be a timestamp or date`);
      }
    }
    for (const [column, key] of Object.entries(d.linkKeys)) {
      const spec = d.columns[column];
      if (!spec) problems.push(`${d.path}.linkKeys.${column}: column "${column}" is not declared in columns`);
      const declared = config.links.keys[key];
      if (!declared) {
        problems.push(`${d.path}.linkKeys.${column}: link key "${key}" is not declared under links.keys`);
      } else if (spec && typeof spec !== "string" && spec.pii && !declared.hashed) {
        problems.push(`${d.path}.linkKeys.${column}: column "${column}" is PII, so link key "${key}" must set hashed: true`);
      }
    }
  }
  const columnsOf = (name: string) => all.find((d) => d.name === name)?.columns;
  config.quality.forEach((q, i) => {
    const cols = columnsOf(q.dataset);
    if (!cols && !(q.dataset === "ga_events" && config.ga)) {
      problems.push(`quality[${i}].dataset: no dataset named "${q.dataset}"`);
    } else if (cols && q.column && !cols[q.column]) {
      problems.push(`quality[${i}].column: dataset "${q.dataset}" has no column "${q.column}"`);
    }
    if (q.check === "accepted_values" && !q.values?.length) problems.push(`quality[${i}].values: required for accepted_values`);
    if (q.check === "references") {
      if (!q.references) problems.push(`quality[${i}].references: required for references`);
      else if (!columnsOf(q.references.dataset)?.[q.references.column]) {
        problems.push(`quality[${i}].references: no column ${q.references.dataset}.${q.references.column}`);
      }
    }
    if (q.check !== "freshness" && !q.column) problems.push(`quality[${i}].column: required for ${q.check}`);
  });
  return [...problems, ...linkKeyProblems(config), ...realtimeProblems(config)];
}

function linkKeyProblems(config: TributaryConfig): string[] {
  const problems: string[] = [];
  for (const [name, key] of Object.entries(config.links.keys)) {
    if (key.sameAs === undefined) continue;
    const target = config.links.keys[key.sameAs];
    if (!target) problems.push(`links.keys.${name}.sameAs: link key "${key.sameAs}" is not declared under links.keys`);
    else if (target.sameAs !== undefined) problems.push(`links.keys.${name}.sameAs: "${key.sameAs}" itself has sameAs; point at "${target.sameAs}" directly`);
    else if (target.hashed !== key.hashed) problems.push(`links.keys.${name}.sameAs: "${name}" and "${key.sameAs}" must agree on hashed`);
  }
  return problems;
}

/** Every realtime role names a declared dataset and columns it has (GA's `ga_events` included), of a type it can read. */
function realtimeProblems(config: TributaryConfig): string[] {
  const problems: string[] = [];
  const known = new Map(datasets(config).map((d) => [d.name, new Map(d.columns.map((c) => [c.name, c.type as string]))]));
  const TIME = (t: string) => t === "timestamp" || t === "date";
  const DECIMAL = (t: string) => t.startsWith("decimal") || t === "bigint" || t === "int";
  const kinds: Record<string, [(t: string) => boolean, string]> = {
    time: [TIME, "a timestamp or date"],
    collected: [TIME, "a timestamp or date"],
    amount: [DECIMAL, "a decimal or integer"],
    bot: [(t) => t === "boolean", "a boolean"],
  };
  const check = (path: string, role: { dataset: string } & Record<string, unknown>, columns: string[]) => {
    const cols = known.get(role.dataset);
    if (!cols) return problems.push(`${path}.dataset: no dataset named "${role.dataset}"`);
    for (const field of columns) {
      const column = role[field];
      if (typeof column !== "string") continue;
      const type = cols.get(column);
      if (type === undefined) problems.push(`${path}.${field}: dataset "${role.dataset}" has no column "${column}"`);
      else if (kinds[field] && !kinds[field][0](type)) problems.push(`${path}.${field}: column "${column}" is ${type}; it must be ${kinds[field][1]}`);
    }
    return 0;
  };
  const rt = config.realtime;
  const used = rt.orders !== undefined || rt.labResults !== undefined || rt.web.length > 0;
  if (used && !config.links.keys[rt.customerKey]) problems.push(`realtime.customerKey: link key "${rt.customerKey}" is not declared under links.keys`);
  if (rt.orders) check("realtime.orders", rt.orders, ["id", "amount", "status", "time", "kit"]);
  if (rt.labResults) check("realtime.labResults", rt.labResults, ["kit", "test", "time", "flag", "collected"]);
  rt.web.forEach((w, i) => check(`realtime.web[${i}]`, w, ["visitor", "time", "session", "url", "bot"]));
  config.reports.forEach((r, i) => {
    if (r.region) check(`reports[${i}].region`, { dataset: r.region.dataset, column: r.region.column }, ["column"]);
    if (r.kind === "results_by_region" && !r.region) problems.push(`reports[${i}].region: results_by_region needs region: { dataset, column }`);
  });
  return problems;
}
