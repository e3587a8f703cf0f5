// node-postgres's own value serialiser, which its typings do not declare.
declare module 'pg/lib/utils.js' {
  /** A JavaScript value as node-postgres sends it as a parameter: text, bytes (a Buffer) or null. */
  export function prepareValue(value: unknown): string | Buffer | null | undefined;
}
