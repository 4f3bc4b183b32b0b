import { describe, expect, it } from "vitest";
import { InvalidStateMachineError, MissingTaskHandlerError } from "../../packages/core/src/local/errors";
import { runStateMachine } from "@tributary/core/local/stepfunctions";

const lambda = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** A small machine in the shape the medallion stacks deploy: a Task, a Map over items, a Retry and a Choice. */
const definition = {
  Comment: "list partitions, compact each, check, decide",
  StartAt: "ListPartitions",
  States: {
    ListPartitions: { Type: "Task", Resource: lambda("list"), Next: "CompactEach" },
    CompactEach: {
      Type: "Map",
      ItemsPath: "$.partitions",
      ItemProcessor: {
        ProcessorConfig: { Mode: "INLINE" },
        StartAt: "Compact",
        States: { Compact: { Type: "Task", Resource: lambda("compact"), End: true } },
      },
      ResultPath: "$.compacted",
      Next: "CheckQuality",
    },
    CheckQuality: {
      Type: "Task",
      Resource: lambda("check"),
      Retry: [{ ErrorEquals: ["Throttled"], IntervalSeconds: 2, MaxAttempts: 2 }],
      ResultPath: "$.quality",
      Next: "Passed?",
    },
    "Passed?": { Type: "Choice", Choices: [{ Variable: "$.quality.failures", NumericEquals: 0, Next: "Done" }], Default: "QualityFailed" },
    Done: { Type: "Succeed" },
    QualityFailed: { Type: "Fail", Error: "QualityCheckFailed", Cause: "expectations failed" },
  },
};

function throttled(): Error {
  const error = new Error("slow down");
  error.name = "Throttled";
  return error;
}

describe("runStateMachine", () => {
  it("runs Task, Map, Retry and Choice states with the local task handlers", async () => {
    // Prepare
    let checks = 0;
    const taskHandlers = {
      ListPartitions: async () => ({ partitions: ["dt=2026-01-01", "dt=2026-01-02"] }),
      Compact: async (partition: unknown) => ({ partition, files: 1 }),
      CheckQuality: async () => {
        if (++checks === 1) throw throttled();
        return { failures: 0 };
      },
    };

    // Act
    const result = await runStateMachine({ definition, input: {}, taskHandlers, retryIntervalOverrides: { CheckQuality: 0 }, collectEvents: true });

    // Assess
    expect(result.status).toBe("SUCCEEDED");
    expect(result.output).toEqual({
      partitions: ["dt=2026-01-01", "dt=2026-01-02"],
      compacted: [
        { partition: "dt=2026-01-01", files: 1 },
        { partition: "dt=2026-01-02", files: 1 },
      ],
      quality: { failures: 0 },
    });
    expect(checks).toBe(2);
    expect(result.events?.filter((e) => e.type === "StateRetried")).toHaveLength(1);
    expect(result.events?.filter((e) => e.type === "MapIterationSucceeded")).toHaveLength(2);
  });

  it("surfaces a Fail state's error and cause", async () => {
    // Act
    const result = await runStateMachine({
      definition: JSON.stringify(definition),
      input: {},
      taskHandlers: { ListPartitions: async () => ({ partitions: [] }), Compact: async () => null, CheckQuality: async () => ({ failures: 3 }) },
    });

    // Assess
    expect(result).toEqual({ status: "FAILED", error: { error: "QualityCheckFailed", cause: "expectations failed" } });
  });

  it("fails the execution with the task's error once retries are exhausted", async () => {
    // Act
    const result = await runStateMachine({
      definition,
      input: {},
      taskHandlers: {
        ListPartitions: async () => ({ partitions: [] }),
        Compact: async () => null,
        CheckQuality: async () => {
          throw throttled();
        },
      },
      retryIntervalOverrides: { CheckQuality: 0 },
    });

    // Assess
    expect(result.status).toBe("FAILED");
    expect(result.error).toEqual({ error: "Throttled", cause: "slow down" });
  });

  it("refuses to run a Task state that has no local handler, nested ones included", async () => {
    // Act
    const attempt = runStateMachine({ definition, input: {}, taskHandlers: { ListPartitions: async () => ({}), CheckQuality: async () => ({}) } });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(MissingTaskHandlerError);
    await expect(attempt).rejects.toThrow('no local handler for Task state(s) "Compact"');
  });

  it("rejects definitions that are not valid ASL and handlers for states that do not exist", async () => {
    // Prepare
    const handlers = { ListPartitions: async () => ({}), Compact: async () => ({}), CheckQuality: async () => ({}) };

    // Act
    const notJson = await runStateMachine({ definition: "{ nope", input: {}, taskHandlers: {} }).catch((e: unknown) => e);
    const danglingNext = await runStateMachine({
      definition: { StartAt: "A", States: { A: { Type: "Pass", Next: "Missing" } } },
      input: {},
      taskHandlers: {},
    }).catch((e: unknown) => e);
    const typo = await runStateMachine({ definition, input: {}, taskHandlers: { ...handlers, CheckQualty: async () => ({}) } }).catch((e: unknown) => e);

    // Assess
    expect(notJson).toBeInstanceOf(InvalidStateMachineError);
    expect(danglingNext).toBeInstanceOf(InvalidStateMachineError);
    expect(String(typo)).toContain("not Task states: CheckQualty");
  });
});
