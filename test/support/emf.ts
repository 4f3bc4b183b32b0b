/**
 * CloudWatch Embedded Metric Format, as the stack tests read it: what a handler printed (Powertools Metrics writes
 * EMF lines to stdout), turned into the (namespace, metric, dimensions) triples CloudWatch would store, so alarms
 * can be checked against what is really emitted.
 */
import { vi } from "vitest";

export interface EmittedMetric {
  Namespace: string;
  MetricName: string;
  /** Sorted by name, as alarms' dimensions are compared. */
  Dimensions: { Name: string; Value: unknown }[];
}

/** Code-point order (`Source` before `service`), as the expected dimension lists are written. */
export const byName = (a: { Name: string }, b: { Name: string }) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0);

/**
 * Runs `act` with metrics enabled and stdout captured; returns what it wrote. Start the platform inside `act`:
 * handlers construct their `Metrics` when loaded, reading POWERTOOLS_METRICS_DISABLED then.
 */
export async function captureMetricOutput(act: () => Promise<void>): Promise<string[]> {
  const previous = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = "false";
  const written: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await act();
  } finally {
    write.mockRestore();
    if (previous === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = previous;
  }
  return written;
}

/** Every metric in the EMF lines of `written`. */
export function emittedMetrics(written: string[]): EmittedMetric[] {
  return written
    .flatMap((chunk) => chunk.split("\n"))
    .filter((line) => line.startsWith("{") && line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, any>)
    .flatMap((emf) =>
      emf._aws.CloudWatchMetrics.flatMap((directive: any) =>
        directive.Metrics.flatMap((metric: any) =>
          directive.Dimensions.map((names: string[]) => ({
            Namespace: directive.Namespace,
            MetricName: metric.Name,
            Dimensions: names.map((name) => ({ Name: name, Value: emf[name] })).sort(byName),
          })),
        ),
      ),
    );
}
