// People (humans who sign in) and their sessions, by Better Auth: password hashing, session
// tokens, reset and verification tokens are its job, not ours. Its tables are ours in name and
// style (people, credentials, sessions, verifications, snake_case columns; migration
// 0010_people), and it reaches them through our Database, so PGlite and PostgreSQL both work.
// Membership of accounts is not Better Auth's: it is the `users` resource (users-resource.ts).
import { SessionTokenHashing } from './session-token-hashing.ts';
import { betterAuthColumn } from './better-auth-columns.ts';
import { betterAuth } from 'better-auth';
import { bearer } from 'better-auth/plugins';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { kyselyOver } from '../db/kysely-dialect.ts';
import { systemQuery } from '../db/system-query.ts';
import { queueMailStatement } from '../mail/mail-outbox.ts';
import { newId } from '../platform/ids.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import { memberships } from './person-accounts.ts';
import { endGrants } from './oauth-grants.ts';
import { fieldlineOAuthProvider, type OAuthProviderOptions } from './oauth-provider.ts';

export const SESSION_COOKIE_PREFIX = 'fieldline';
/** How long a session lives without use; each use within the last day of it extends it. */
export const SESSION_LIFETIME_SECONDS = 30 * 24 * 3600;
export const MIN_PASSWORD_LENGTH = 10;

const columns = (...names: string[]) => Object.fromEntries(names.map((name) => [name, betterAuthColumn(name)]));

const ID_PREFIXES: Record<string, string> = { user: 'per', session: 'ses', account: 'cred', verification: 'ver' };

export interface PeopleAuthOptions {
  /** The public URL of this server (FIELDLINE_PUBLIC_URL): links in mails and the cookies' Secure flag. */
  publicUrl: string;
  /** The server's secret box: the key that signs session cookies is derived from its key. */
  secrets: SecretBox;
  logger: Logger;
  /** A password reset ended a person's sessions: every node must forget them (session-changes.ts). */
  onSessionsEnded(personId: string): Promise<void>;
  /** The OAuth 2.0 server's scopes and the box its client secrets are sealed in. */
  oauth: Omit<OAuthProviderOptions, 'publicUrl' | 'secrets'>;
}

export function createPeopleAuth(db: Database, options: PeopleAuthOptions) {
  const mail = (to: string, subject: string, text: string) =>
    systemQuery(db, queueMailStatement({ accountId: null, to: [to], subject, text })).then(() => undefined);
  return betterAuth({
    appName: 'Fieldline',
    baseURL: options.publicUrl,
    basePath: '/v1/auth',
    secret: options.secrets.derive('fieldline session cookies'),
    // Session tokens reach the table only as their hash (session-token-hashing.ts).
    database: { db: kyselyOver(db).withPlugin(new SessionTokenHashing()), type: 'postgres' },
    user: { modelName: 'people', fields: columns('emailVerified', 'createdAt', 'updatedAt') },
    account: {
      modelName: 'credentials',
      fields: {
        // Better Auth's "account" is a sign-in method; ours is a tenant, so the column says which.
        accountId: 'provider_account_id',
        ...columns(
          'providerId',
          'userId',
          'accessToken',
          'refreshToken',
          'idToken',
          'accessTokenExpiresAt',
          'refreshTokenExpiresAt',
          'createdAt',
          'updatedAt',
        ),
      },
    },
    session: {
      modelName: 'sessions',
      fields: columns('expiresAt', 'createdAt', 'updatedAt', 'ipAddress', 'userAgent', 'userId'),
      expiresIn: SESSION_LIFETIME_SECONDS,
      updateAge: 24 * 3600,
      additionalFields: {
        // The account this session acts in: a person may be a member of several.
        activeAccountId: { type: 'string', required: false, input: false, fieldName: 'active_account_id' },
      },
    },
    // Reset and verification tokens are stored as hashes: the database never holds a usable one.
    verification: {
      modelName: 'verifications',
      fields: columns('expiresAt', 'createdAt', 'updatedAt'),
      storeIdentifier: 'hashed',
    },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: 256,
      revokeSessionsOnPasswordReset: true,
      resetPasswordTokenExpiresIn: 3600,
      // Better Auth deletes the person's sessions; every node forgets what it cached of them. Apps
      // connected with the old password stop too: whoever knew it may have connected them.
      onPasswordReset: async ({ user }) => {
        await endGrants(db, { personId: user.id });
        await options.onSessionsEnded(user.id);
      },
      sendResetPassword: ({ user, token }) =>
        mail(
          user.email,
          'Reset your Fieldline password',
          `Someone asked to reset the password of ${user.email}.\n\n` +
            `Your reset token (valid for one hour):\n\n${token}\n\n` +
            `Choose a new password at ${options.publicUrl}/portal/reset-password?token=${encodeURIComponent(token)}\n` +
            `(or send the token with your new password to POST ` +
            `${options.publicUrl}/v1/auth/password-reset/confirm).\n` +
            `If this was not you, ignore this mail.`,
        ),
    },
    emailVerification: {
      sendOnSignUp: true,
      expiresIn: 24 * 3600,
      sendVerificationEmail: ({ user, token }) =>
        mail(
          user.email,
          'Confirm your email address for Fieldline',
          `Confirm ${user.email} by opening:\n\n` +
            `${options.publicUrl}/portal/verify-email?token=${encodeURIComponent(token)}\n\n` +
            `Without a browser: GET ${options.publicUrl}/v1/auth/verify-email?token=${encodeURIComponent(token)}\n`,
        ),
    },
    databaseHooks: {
      session: {
        create: {
          // A new session acts in the person's earliest membership until they switch.
          before: async (session) => ({
            data: { ...session, activeAccountId: (await memberships(db, session.userId))[0]?.account_id ?? null },
          }),
        },
      },
    },
    // Our gate throttles sign-in attempts (per IP and per email); Better Auth's limiter would
    // be a second, node-local one.
    rateLimit: { enabled: false },
    advanced: {
      cookiePrefix: SESSION_COOKIE_PREFIX,
      useSecureCookies: options.publicUrl.startsWith('https:'),
      defaultCookieAttributes: { sameSite: 'lax', httpOnly: true },
      database: {
        generateId: ({ model }) => newId(ID_PREFIXES[model] ?? model.slice(0, 4)),
        // Our migrations make these tables (auth-migrations.ts), and a test compares them with what
        // Better Auth expects (test/people-and-sessions.test.ts). Its own check at start reads the
        // whole catalogue: 120 ms of an embedded database's one connection before the first request.
        validateSchema: false,
      },
    },
    telemetry: { enabled: false },
    logger: { log: (level, message) => options.logger[level]({ component: 'better-auth' }, message) },
    plugins: [
      bearer(),
      fieldlineOAuthProvider({ ...options.oauth, secrets: options.secrets, publicUrl: options.publicUrl }),
    ],
  });
}

export type PeopleAuth = ReturnType<typeof createPeopleAuth>;
