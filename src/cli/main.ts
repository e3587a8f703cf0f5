// The `fieldline` command: serve, migrate, accounts create, openapi, roles, inventory.
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config.ts';
import { startServer } from '../server.ts';
import { connectDatabase } from '../db/connect.ts';
import { acquireDataDirLock, DataDirBusyError } from '../db/data-dir-lock.ts';
import { migrate } from '../db/migrate.ts';
import { createRegistry } from '../domain/registry.ts';
import { createAccount } from '../auth/accounts.ts';
import { createApp } from '../http/app.ts';
import { DEFAULT_PLAN, PLAN_NAMES, type PlanName } from '../limits/plans.ts';
import { pino } from 'pino';
import type { Database } from '../db/database.ts';
import { roleMatrixMarkdown } from '../auth/roles.ts';
import { currentCoverage } from '../inventory/current-coverage.ts';
import { coverageMarkdown } from '../inventory/coverage-markdown.ts';

const HELP = `Usage: fieldline <command> [options]

Commands:
  serve                                   start the API server (PORT, DATABASE_URL, FIELDLINE_DATA_DIR, LOG_LEVEL)
  migrate                                 bring the database schema up to date
  accounts create --name NAME [--mode test|live] [--plan free|standard|enterprise] [--json]
                                          create an account and an owner API key (all scopes)
  openapi [--output FILE]                 print the OpenAPI 3.1 document
  roles [--output FILE]                   print the member roles and their scopes (docs/roles.md)
  inventory [--json] [--output FILE] [--check]
                                          the API coverage matrix (docs/api-coverage.md); --check exits 1 on a gap
`;

/** Opens the configured database for a one-off command, migrated, and closes it afterwards. */
async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const release = config.databaseUrl ? () => {} : acquireDataDirLock(config.dataDir, 'CLI');
  const db = await connectDatabase(config);
  try {
    await migrate(db, createRegistry());
    return await work(db);
  } finally {
    await db.close();
    release();
  }
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      mode: { type: 'string' },
      plan: { type: 'string' },
      json: { type: 'boolean' },
      check: { type: 'boolean' },
      output: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, subcommand] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 1;
  }
  switch (command) {
    case 'serve': {
      const server = await startServer(loadConfig());
      const shutdown = () => {
        server.stop().then(() => process.exit(0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      return -1; // keep running
    }
    case 'migrate': {
      await withDatabase(async () => undefined);
      process.stderr.write('Database is up to date.\n');
      return 0;
    }
    case 'accounts': {
      if (subcommand !== 'create') break;
      const name = values.name?.trim();
      if (!name) throw new UsageError('accounts create needs --name "Company name"');
      const mode = values.mode ?? 'test';
      if (mode !== 'test' && mode !== 'live') throw new UsageError('--mode is test or live');
      const plan = values.plan ?? DEFAULT_PLAN;
      if (!PLAN_NAMES.includes(plan as PlanName)) throw new UsageError(`--plan is one of ${PLAN_NAMES.join(', ')}`);
      const created = await withDatabase((db) => createAccount(db, { name, mode, plan: plan as PlanName }));
      if (values.json) process.stdout.write(JSON.stringify(created) + '\n');
      else
        process.stdout.write(
          `Account ${created.account.id} "${created.account.name}"\nOwner API key (shown once): ${created.api_key}\n`,
        );
      return 0;
    }
    case 'roles': {
      const text = roleMatrixMarkdown(createRegistry());
      if (values.output) writeFileSync(values.output, text);
      else process.stdout.write(text);
      return 0;
    }
    case 'inventory': {
      const resources = currentCoverage();
      const gaps = resources.flatMap((resource) => resource.gaps.map((gap) => `${resource.collection}: ${gap}`));
      const text = values.json ? `${JSON.stringify({ resources, gaps }, null, 2)}\n` : coverageMarkdown(resources);
      if (values.output) writeFileSync(values.output, text);
      else if (!values.check) process.stdout.write(text);
      if (values.check && gaps.length) {
        process.stderr.write(`API coverage gaps:\n${gaps.map((gap) => `  ${gap}`).join('\n')}\n`);
        return 1;
      }
      return 0;
    }
    case 'openapi': {
      // The app the server runs, never started: the same routes and endpoints, so the same document.
      const { openapi } = createApp({
        db: undefined as never,
        registry: createRegistry(),
        logger: pino({ level: 'silent' }),
      });
      const text = JSON.stringify(openapi, null, 2) + '\n';
      if (values.output) writeFileSync(values.output, text);
      else process.stdout.write(text);
      return 0;
    }
  }
  throw new UsageError(`Unknown command: ${positionals.join(' ')}`);
}

class UsageError extends Error {}

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error) => {
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${HELP}`);
    else if (error instanceof DataDirBusyError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`fieldline: ${error?.message ?? error}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
