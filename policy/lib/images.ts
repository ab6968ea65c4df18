/**
 * Why an image reference is not pinned, or undefined when it is. Pinned means a digest
 * (`repo@sha256:...`) or a tag other than `latest`; an untagged reference means `latest`.
 */
export function imagePinProblem(reference: string): string | undefined {
    if (reference.includes("@")) return undefined;
    const tagSeparator = reference.indexOf(":", reference.lastIndexOf("/") + 1);
    if (tagSeparator < 0) return `image ${reference} has no tag, which means latest`;
    if (reference.slice(tagSeparator + 1) === "latest") return `image ${reference} uses the latest tag`;
    return undefined;
}
