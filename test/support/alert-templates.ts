/**
 * Expands alert annotation templates the way Prometheus does, for the subset of its template
 * language that alert rules use here: `{{ $labels.<name> }}`, `{{ $value }}` and `$value` piped
 * into `printf "%.<n>f"`, `humanizePercentage` or `humanizeDuration` (from one second).
 * Anything else throws, so that a new construct is noticed rather than expanded wrongly.
 */

const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/g;
const LABEL_REFERENCE = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/;
const PRINTF_FIXED = /^printf\s+"%\.(\d+)f"$/;

/** Go's `%.4g` for numbers whose decimal exponent lies in [-4, 4), i.e. the plain notation. */
function formatFourSignificantDigits(value: number): string {
    if (value === 0) return "0";
    const rounded = Number(value.toPrecision(4));
    const exponent = Math.floor(Math.log10(Math.abs(rounded)));
    if (exponent < -4 || exponent >= 4) throw new Error(`cannot format ${value} like Go's %.4g in plain notation`);
    return String(rounded);
}

/** Go's default formatting of a float64 (`{{ $value }}`), for values printed without an exponent. */
function formatGoFloat(value: number): string {
    const text = String(value);
    if (/e/i.test(text)) throw new Error(`cannot format ${value} like Go's %v without an exponent`);
    return text;
}

function humanizePercentage(value: number): string {
    return `${formatFourSignificantDigits(value * 100)}%`;
}

/** Prometheus' humanizeDuration for one second and more: whole days, hours, minutes and seconds, or 4 digits under a minute. */
function humanizeDuration(value: number): string {
    if (value < 1) throw new Error(`humanizeDuration of ${value} is only expanded for values of 1 and more`);
    if (value < 60) return `${formatFourSignificantDigits(value)}s`;
    const whole = Math.trunc(value);
    const [days, hours, minutes, seconds] = [Math.trunc(whole / 86_400), Math.trunc(whole / 3600) % 24, Math.trunc(whole / 60) % 60, whole % 60];
    if (days !== 0) return `${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${hours}h ${minutes}m ${seconds}s`;
    return `${minutes}m ${seconds}s`;
}

function applyToValue(pipe: string, value: number): string {
    const fixed = PRINTF_FIXED.exec(pipe);
    if (fixed !== null) return value.toFixed(Number(fixed[1]));
    if (pipe === "humanizePercentage") return humanizePercentage(value);
    if (pipe === "humanizeDuration") return humanizeDuration(value);
    throw new Error(`unsupported template function "${pipe}"`);
}

/**
 * The text Prometheus renders from an annotation `template` for an alert with `labels` and
 * `value`. A reference to a label the alert does not have throws: Prometheus would render it
 * empty, which in an annotation is always a mistake.
 */
export function expandAlertTemplate(template: string, labels: Readonly<Record<string, string>>, value: number): string {
    return template.replace(ACTION, (_whole, action: string) => {
        const [subject, ...pipes] = action.split("|").map((part) => part.trim());
        const label = LABEL_REFERENCE.exec(subject);
        if (label !== null) {
            if (pipes.length > 0) throw new Error(`unsupported template action "{{ ${action} }}"`);
            const labelValue = labels[label[1]];
            if (labelValue === undefined) throw new Error(`template "${template}" refers to label "${label[1]}", which the alert does not have`);
            return labelValue;
        }
        if (subject !== "$value") throw new Error(`unsupported template action "{{ ${action} }}"`);
        if (pipes.length === 0) return formatGoFloat(value);
        if (pipes.length > 1) throw new Error(`unsupported template action "{{ ${action} }}"`);
        return applyToValue(pipes[0], value);
    });
}
