// JSON logs on standard error, so standard output stays free for command results.
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino(
    { level, base: undefined, redact: ['req.headers.authorization', '*.api_key', '*.secret'] },
    pino.destination(2),
  );
}
