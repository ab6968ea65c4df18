/**
 * `npm run policy-config`: writes policy/config/<stack>.json for every stack, generated from the stack's
 * config and the catalog, for `pulumi preview --policy-pack policy --policy-pack-config policy/config/<stack>.json`.
 * Never edit those files by hand: change the stack's config and run this again (a test fails until you do).
 */
import * as fs from "fs";
import * as path from "path";
import { POLICY_CONFIG_DIR } from "./check/policy-config";
import { renderPolicyConfigFile, stackPolicyConfig, typedStackConfig } from "./check/stack-policy";
import { stackNames } from "./offline/stack-files";

for (const stack of stackNames()) {
    const file = path.join(POLICY_CONFIG_DIR, `${stack}.json`);
    fs.writeFileSync(file, renderPolicyConfigFile(stackPolicyConfig(typedStackConfig(stack))));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
