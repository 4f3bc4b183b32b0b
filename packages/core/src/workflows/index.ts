export * from "./medallion-definition";
export * from "./definitions";
