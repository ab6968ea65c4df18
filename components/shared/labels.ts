/** Docker labels every dev container carries; the log shipper and the policies read them. */
export const GENAI_LABELS = {
    project: "genai.project",
    stack: "genai.stack",
    managedBy: "genai.managed-by",
    component: "genai.component",
    model: "genai.model",
    track: "genai.track",
    engine: "genai.engine",
} as const;
