import { describe, expect, it } from "vitest";
import { eventNameProblem, normaliseEventName, parameterNameProblem, userPropertyNameProblem } from "@tributary/core/ga";

describe("eventNameProblem", () => {
  it.each([
    ["kit_activated", undefined],
    ["page_view", undefined],
    ["Purchase2", undefined],
    ["session_start", '"session_start" is a reserved event name'],
    ["user_engagement", '"user_engagement" is a reserved event name'],
    ["firebase_campaign", '"firebase_campaign" starts with the reserved prefix "firebase_"'],
    ["GA_custom", '"GA_custom" starts with the reserved prefix "ga_"'],
    ["gtag.config", 'must start with a letter and hold only letters, digits and underscores, got "gtag.config"'],
    ["", 'must start with a letter and hold only letters, digits and underscores, got ""'],
  ])("%j → %j", (name, expected) => {
    expect(eventNameProblem(name)).toBe(expected);
  });
});

describe("parameter and user property names", () => {
  it("refuses reserved names only where Google reserves them", () => {
    // Assess: `session_start` is reserved as an event, not as a parameter; `user_id` only as a user property.
    expect(parameterNameProblem("session_start")).toBeUndefined();
    expect(parameterNameProblem("user_id")).toBeUndefined();
    expect(userPropertyNameProblem("user_id")).toBe('"user_id" is a reserved user property name');
    expect(userPropertyNameProblem("first_open_time")).toBe('"first_open_time" is a reserved user property name');
    expect(userPropertyNameProblem("customer_tier")).toBeUndefined();
  });
});

describe("normaliseEventName", () => {
  it.each([
    ["Add To Cart", "add_to_cart"],
    ["  Activate Kit!  ", "activate_kit"],
    ["3D view", "d_view"],
    ["Checkout – Step 2", "checkout_step_2"],
    ["x".repeat(45), "x".repeat(40)],
    [`${"a".repeat(39)} b`, "a".repeat(39)],
    ["session start", "ua_event"],
    ["Error", "ua_event"],
    ["GA Click", "ua_event"],
    ["123", "ua_event"],
    ["", "ua_event"],
  ])("%j → %j", (text, expected) => {
    // Act
    const name = normaliseEventName(text);

    // Assess
    expect(name).toBe(expected);
    expect(eventNameProblem(name)).toBeUndefined();
  });
});
