// Packages that only some requests need (Stripe, PDF, spreadsheets, push, mail, date phrases) load the
// first time they are used, not at start: a server that never prints a PDF never pays pdfkit's load
// time or memory. Their CommonJS builds load synchronously, so call sites stay synchronous. A package
// loaded this way is never also imported statically: require's cache then holds its one instance
// (one set of error classes for instanceof), however many accessors name it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `() => require(specifier)`, loaded once, on the first call. Type it with `typeof import(...)`. */
export function lazyRequire<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(specifier) as T);
}
