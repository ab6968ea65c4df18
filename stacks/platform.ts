import { ConfigSource } from "./config-reader";
import { loadStackConfig } from "./config";
import { buildAwsPlatform } from "./aws";
import { buildDockerPlatform, PlatformOutputs } from "./docker";

/**
 * Validates the configuration (a ConfigError stops the program before any resource is
 * registered) and describes the platform the stack's `platform` key selects.
 */
export function definePlatform(source: ConfigSource): PlatformOutputs {
    const cfg = loadStackConfig(source);
    switch (cfg.platform) {
        case "docker":
            return buildDockerPlatform(cfg);
        case "aws":
            return buildAwsPlatform(cfg);
    }
}
