// The `fieldline` command: serve, migrate, accounts create, openapi, roles, inventory, generate.
// `runCli` takes its arguments and where to write, so tests call it in process; the bin runs it
// on process.argv and sets the exit code.
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config.ts';
import { startServer } from '../server.ts';
import { connectDatabase } from '../db/connect.ts';
import { acquireDataDirLock, DataDirBusyError } from '../db/data-dir-lock.ts';
import { migrate } from '../db/migrate.ts';
import { createAccount } from '../auth/accounts.ts';
import { DEFAULT_PLAN, PLAN_NAMES, type PlanName } from '../limits/plans.ts';
import type { Database } from '../db/database.ts';
import { roleMatrixMarkdown } from '../auth/roles.ts';
import { currentCoverage } from '../inventory/current-coverage.ts';
import { coverageMarkdown } from '../inventory/coverage-markdown.ts';
import { fieldlineApi } from '../main.ts';
import { generateArtefacts } from './generate.ts';
import { operatorsCommand } from '../platform-admin/operators-command.ts';

const HELP = `Usage: fieldline <command> [options]

Commands:
  serve                                   start the API server (HOST, PORT, DATABASE_URL, FIELDLINE_DATA_DIR, LOG_LEVEL)
  migrate                                 bring the database schema up to date
  accounts create --name NAME [--mode test|live] [--plan free|standard|enterprise] [--json]
                                          create an account and an owner API key (all scopes)
  operators create --email EMAIL [--name NAME] [--json]
                                          create a platform operator; the password is FIELDLINE_OPERATOR_PASSWORD,
                                          or else generated and printed once
  operators list [--json]                 the platform operators
  operators disable --email EMAIL         disable an operator and end their sessions
  openapi [--output FILE]                 print the OpenAPI 3.1 document
  roles [--output FILE]                   print the member roles and their scopes (docs/roles.md)
  inventory [--json] [--output FILE] [--check]
                                          the API coverage matrix (docs/api-coverage.md); --check exits 1 on a gap
  generate [--check]                      rewrite every derived file (openapi.json, both SDKs, docs/api-coverage.md,
                                          docs/roles.md); --check writes nothing and exits 1 when any is out of date
`;

/** Where the command writes; a test passes its own. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processOutput: CliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

class UsageError extends Error {}

/** Opens the configured database for a one-off command, migrated, and closes it afterwards. */
async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const release = config.databaseUrl ? () => {} : acquireDataDirLock(config.dataDir, 'CLI');
  const db = await connectDatabase(config);
  try {
    await migrate(db, fieldlineApi().schema);
    return await work(db);
  } finally {
    await db.close();
    release();
  }
}

const emit = (out: CliOutput, text: string, output: string | undefined) =>
  output ? writeFileSync(output, text) : out.stdout(text);

/** Runs one command; the exit code, or -1 while a server it started keeps running. */
async function run(argv: string[], out: CliOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
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
    out.stdout(HELP);
    return command || values.help ? 0 : 1;
  }
  switch (command) {
    case 'serve': {
      const config = loadConfig();
      const server = await startServer(config);
      // SIGTERM drains (server.ts says how) and exits 0; a second signal or a drain stuck past the
      // bound (plus 2 s for the workers' batch) exits 1 at once: leases hand unfinished work to other nodes.
      let signalled = false;
      const shutdown = (signal: NodeJS.Signals) => {
        if (signalled) process.exit(1);
        signalled = true;
        server.logger.info({ signal }, 'shutting down: draining requests in flight');
        setTimeout(() => {
          server.logger.error('shutdown did not finish in time; exiting');
          process.exit(1);
        }, config.shutdownTimeoutMs + 2_000).unref();
        server.stop().then(
          () => {
            server.logger.info('stopped');
            process.exit(0);
          },
          (err: unknown) => {
            server.logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
      return -1;
    }
    case 'migrate': {
      await withDatabase(async () => undefined);
      out.stderr('Database is up to date.\n');
      return 0;
    }
    case 'accounts': {
      if (subcommand !== 'create') break;
      const name = values.name?.trim();
      if (!name) throw new UsageError('accounts create needs --name "Company name"');
      const mode = values.mode ?? 'live';
      if (mode !== 'test' && mode !== 'live') throw new UsageError('--mode is test or live');
      const plan = values.plan ?? DEFAULT_PLAN;
      const isPlan = (value: string): value is PlanName => (PLAN_NAMES as readonly string[]).includes(value);
      if (!isPlan(plan)) throw new UsageError(`--plan is one of ${PLAN_NAMES.join(', ')}`);
      const created = await withDatabase((db) => createAccount(db, { name, mode, plan }));
      if (values.json) out.stdout(JSON.stringify(created) + '\n');
      else
        out.stdout(
          `Account ${created.account.id} "${created.account.name}"\nOwner API key (shown once): ${created.api_key}\n`,
        );
      return 0;
    }
    case 'operators': {
      const code = await withDatabase((db) => operatorsCommand(db, subcommand, values, out));
      if (code === undefined)
        throw new UsageError('operators create --email E | operators list | operators disable --email E');
      return code;
    }
    case 'roles': {
      emit(out, roleMatrixMarkdown(fieldlineApi().registry), values.output);
      return 0;
    }
    case 'inventory': {
      const resources = currentCoverage();
      const gaps = resources.flatMap((resource) => resource.gaps.map((gap) => `${resource.collection}: ${gap}`));
      const text = values.json ? `${JSON.stringify({ resources, gaps }, null, 2)}\n` : coverageMarkdown(resources);
      if (values.output || !values.check) emit(out, text, values.output);
      if (values.check && gaps.length) {
        out.stderr(`API coverage gaps:\n${gaps.map((gap) => `  ${gap}`).join('\n')}\n`);
        return 1;
      }
      return 0;
    }
    case 'openapi': {
      emit(out, JSON.stringify(fieldlineApi().document(), null, 2) + '\n', values.output);
      return 0;
    }
    case 'generate': {
      const stale = await generateArtefacts({ check: values.check ?? false });
      for (const path of stale) out.stderr(`${values.check ? 'out of date' : 'written'}: ${path}\n`);
      return values.check && stale.length ? 1 : 0;
    }
  }
  throw new UsageError(`Unknown command: ${positionals.join(' ')}`);
}

/** The exit code; usage and configuration errors are printed, never thrown. */
export async function runCli(argv: string[], out: CliOutput = processOutput): Promise<number> {
  try {
    return await run(argv, out);
  } catch (error) {
    if (error instanceof UsageError) out.stderr(`${error.message}\n\n${HELP}`);
    else if (error instanceof DataDirBusyError) out.stderr(`${error.message}\n`);
    else out.stderr(`fieldline: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
