/**
 * Finds every Task state of an ASL definition, including those inside Map iterators and Parallel branches —
 * the interpreter looks task overrides up by state name at every level.
 */
export interface AslStates {
  States: Record<string, AslState>;
}

interface AslState {
  Type: string;
  ItemProcessor?: AslStates;
  Iterator?: AslStates;
  Branches?: AslStates[];
}

/** @example taskStateNames({ StartAt: "A", States: { A: { Type: "Task", Resource: "…", End: true } } }) // ["A"] */
export function taskStateNames(definition: AslStates): string[] {
  const names: string[] = [];
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    if (state.Type === "Task") names.push(name);
    const iterator = state.ItemProcessor ?? state.Iterator;
    if (state.Type === "Map" && iterator) names.push(...taskStateNames(iterator));
    if (state.Type === "Parallel") for (const branch of state.Branches ?? []) names.push(...taskStateNames(branch));
  }
  return names;
}
