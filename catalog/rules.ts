/**
 * The rules the stack config, the components and the policy pack share, each defined once here.
 */

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** The tag of an image reference, or undefined when it has none (`nginx`, `registry:5000/app`). */
export function imageTag(image: string): string | undefined {
    const withoutDigest = image.replace(DIGEST, "");
    const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
    const colon = lastSegment.indexOf(":");
    return colon === -1 ? undefined : lastSegment.slice(colon + 1);
}

/** The repository of an image reference: everything before its tag and digest. */
export function imageRepository(image: string): string {
    const withoutDigest = image.replace(DIGEST, "");
    const tag = imageTag(withoutDigest);
    return tag === undefined ? withoutDigest : withoutDigest.slice(0, withoutDigest.length - tag.length - 1);
}

/**
 * Why an image reference is not pinned, or undefined when it is. Pinned means a digest
 * (`repo@sha256:<64 hex>`) or a tag other than `latest`; an untagged reference means `latest`.
 */
export function imagePinProblem(image: string): string | undefined {
    if (image.includes("@")) return DIGEST.test(image) ? undefined : `image ${image} has a malformed digest (expected @sha256:<64 hex digits>)`;
    const tag = imageTag(image);
    if (tag === undefined || tag === "") return `image ${image} has no tag, which means latest`;
    if (tag === "latest") return `image ${image} uses the latest tag`;
    return undefined;
}

/** True when an image is pinned to a version tag or a digest. */
export function isPinnedImage(image: string): boolean {
    return imagePinProblem(image) === undefined;
}

/** What the pinned-image rule allows, as config errors and policy messages word it. */
export const PINNED_IMAGE_RULE = "an image pinned to a version tag or a digest (not latest, not untagged)";

const SECRET_WORDS: ReadonlySet<string> = new Set(["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS"]);
const SECRET_PAIRS: readonly (readonly [string, string])[] = [
    ["API", "KEY"],
    ["PRIVATE", "KEY"],
    ["ACCESS", "KEY"],
];
const REFERENCE_SUFFIXES: ReadonlySet<string> = new Set(["FILE", "PATH", "DIR"]);

/**
 * Whether an environment variable's name says it holds a secret. Matches whole words of the name
 * (split on `_`, `-`, `.` and camelCase), so HF_TOKEN, OPENAI_API_KEY and clientSecret match while
 * TOKENIZERS_PARALLELISM and MAX_TOKENS do not; names ending in _FILE, _PATH or _DIR point to a
 * secret rather than hold one.
 */
export function looksLikeSecretName(name: string): boolean {
    const words = name
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .toUpperCase()
        .split(/[^A-Z0-9]+/)
        .filter((w) => w !== "");
    if (words.length === 0 || REFERENCE_SUFFIXES.has(words[words.length - 1])) return false;
    return words.some((w, i) => SECRET_WORDS.has(w) || SECRET_PAIRS.some(([a, b]) => w === a && words[i + 1] === b));
}

/** What the secret-name rule refuses, as config errors and policy messages word it. */
export const SECRET_ENV_RULE =
    "no secret in a plain environment variable (a name with PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, ACCESS_KEY or CREDENTIAL as a word): use a secret config key such as huggingFaceToken";
