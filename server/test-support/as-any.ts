/**
 * Test helper: `res.json()` is typed `unknown`; tests read fields of known shapes freely
 * (`await res.json().then(asAny)`), with the assertions themselves as the type check.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const asAny = (value: unknown): any => value;
