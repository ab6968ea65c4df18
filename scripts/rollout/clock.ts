/** Time as the rollout and the smoke check see it: the system's, or a test's that sleeps without waiting. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
