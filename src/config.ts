// Configuration from the environment, validated once at start.
import { z } from 'zod';

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional().or(z.literal('').transform(() => undefined)),
  FIELDLINE_DATA_DIR: z.string().default('./.fieldline'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FIELDLINE_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  FIELDLINE_DB_POOL_SIZE: z.coerce.number().int().positive().default(20),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  maxBodyBytes: number;
  dbPoolSize: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  return {
    port: c.PORT, host: c.HOST, databaseUrl: c.DATABASE_URL, dataDir: c.FIELDLINE_DATA_DIR,
    logLevel: c.LOG_LEVEL, maxBodyBytes: c.FIELDLINE_MAX_BODY_BYTES, dbPoolSize: c.FIELDLINE_DB_POOL_SIZE,
  };
}
