// `fieldline operators create|list|disable`: the only way to make or disable a platform operator.
import type { Database } from '../db/database.ts';
import { createOperator, disableOperator, listOperators, OperatorInputError } from './operators.ts';

interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The exit code, or undefined for a subcommand it does not know (a usage error). */
export async function operatorsCommand(
  db: Database,
  subcommand: string | undefined,
  values: { email?: string; name?: string; json?: boolean },
  out: Output,
): Promise<number | undefined> {
  switch (subcommand) {
    case 'create': {
      if (!values.email) return usage(out, 'operators create needs --email');
      try {
        const password = process.env.FIELDLINE_OPERATOR_PASSWORD || undefined;
        const created = await createOperator(db, { email: values.email, name: values.name, password });
        if (values.json)
          out.stdout(
            JSON.stringify({
              operator: created.operator,
              ...(created.generated ? { password: created.password } : {}),
            }) + '\n',
          );
        else
          out.stdout(
            `Operator ${created.operator.id} <${created.operator.email}>\n` +
              (created.generated
                ? `Password (shown once): ${created.password}\n`
                : 'Password: the one in FIELDLINE_OPERATOR_PASSWORD\n'),
          );
        return 0;
      } catch (error) {
        if (error instanceof OperatorInputError) return usage(out, error.message);
        throw error;
      }
    }
    case 'list': {
      const operators = await listOperators(db);
      if (values.json) out.stdout(JSON.stringify(operators) + '\n');
      else for (const o of operators) out.stdout(`${o.id}  ${o.status.padEnd(8)}  ${o.email}  ${o.name}\n`);
      return 0;
    }
    case 'disable': {
      if (!values.email) return usage(out, 'operators disable needs --email');
      if (!(await disableOperator(db, values.email))) {
        out.stderr(`No operator with the email ${values.email}\n`);
        return 1;
      }
      out.stdout(`Operator ${values.email} disabled; their sessions ended.\n`);
      return 0;
    }
  }
  return undefined;
}

function usage(out: Output, message: string): number {
  out.stderr(`${message}\n`);
  return 2;
}
