/**
 * The shared mock harness of the tests: the offline evaluator, which records every registered
 * resource with its type, name, inputs and options, and fails loudly on an unmocked invoke.
 */
export * from "../scripts/offline/evaluate";
