/**
 * The policy pack's process as the offline check runs it (scripts/check/analyzer.ts): loads the pack
 * from its folder, the current directory, as `@pulumi/pulumi/cmd/run-policy-pack` does (package.json's
 * main; the PolicyPack constructor then serves the Analyzer protocol and prints its port), but through
 * scripts/offline/register.js instead of a type-checking ts-node. It exits as soon as its standard input
 * closes, which happens when the check exits however it ends, killed included: no pack outlives its check.
 */
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
// The pack throws an error for every policy that does not apply to a resource's type (thousands per check);
// none of them is shown with a stack, and capturing one each time was a third of the analysis.
Error.stackTraceLimit = 0;

require(process.cwd());
