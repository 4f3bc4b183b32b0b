export * from "./medallion-definition";
