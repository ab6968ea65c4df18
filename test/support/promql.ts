/**
 * The metric names a PromQL expression reads: what is left once strings, label matchers, ranges,
 * grouping clauses, function calls and keywords are taken away.
 */
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan"]);

export function metricNamesIn(expression: string): string[] {
    let text = expression
        .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
        .replace(/\{[^}]*\}/g, " ")
        .replace(/\[[^\]]*\]/g, " ")
        .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
    const names = new Set<string>();
    const token = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;
    for (let m = token.exec(text); m !== null; m = token.exec(text)) {
        const name = m[0];
        const rest = text.slice(m.index + name.length);
        const before = text.slice(0, m.index);
        if (/^\s*\(/.test(rest)) continue; // a function or aggregation
        if (KEYWORDS.has(name.toLowerCase())) continue;
        if (/[0-9.]$/.test(before)) continue; // a unit inside a number, e.g. 1e3
        names.add(name);
    }
    text = "";
    return [...names];
}
