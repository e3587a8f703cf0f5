// Who is signed in, and in which account: GET /v1/auth/session, shared by every page. Signing
// in, out or switching accounts reloads it; a page whose call answers 401 calls `expired()`.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { fieldline, isSignedOut } from './api.ts';

export interface Membership {
  account_id: string;
  account_name: string;
  user_id: string;
  role: string;
}

export interface SessionState {
  person: { id: string; name: string; email: string; email_verified: boolean };
  session: { id: string; expires_at: string; active_account_id: string | null };
  member: Membership | null;
  accounts: Membership[];
  /** What this session may do in its account (its role's scopes). */
  scopes: string[];
}

/** Whether `scopes` allow `scope`, as the server checks it (`read:*` covers every read). */
export function allows(scopes: readonly string[], scope: string): boolean {
  return scopes.includes(scope) || scopes.includes(`${scope.slice(0, scope.indexOf(':'))}:*`);
}

interface SessionContextValue {
  /** undefined while loading, null when signed out. */
  current: SessionState | null | undefined;
  refresh(): Promise<void>;
  expired(): void;
  signOut(): Promise<void>;
  switchAccount(accountId: string): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** Whether the server saw a session cookie when it served this page (src/http/portal.ts). */
const servedWithSessionCookie = () => document.querySelector('meta[name="fieldline-session"]') !== null;

export function SessionProvider({ children }: { children: ReactNode }) {
  const [current, setCurrent] = useState<SessionState | null | undefined>(undefined);
  const refresh = useCallback(async () => {
    try {
      setCurrent((await fieldline.auth.getSession()) as SessionState);
    } catch (error) {
      if (isSignedOut(error)) setCurrent(null);
      else throw error;
    }
  }, []);
  useEffect(() => {
    // Without a session cookie nobody is signed in: no call that could only answer 401. Later
    // refreshes (after signing in) always ask.
    if (servedWithSessionCookie()) void refresh();
    else setCurrent(null);
  }, [refresh]);
  const value = useMemo<SessionContextValue>(
    () => ({
      current,
      refresh,
      expired: () => setCurrent(null),
      signOut: async () => {
        await fieldline.auth.signOut().catch((error: unknown) => {
          if (!isSignedOut(error)) throw error;
        });
        setCurrent(null);
      },
      switchAccount: async (accountId) => {
        await fieldline.auth.switchAccount({ account_id: accountId });
        await refresh();
      },
    }),
    [current, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in state, for pages that only render when signed in. */
export function useSignedIn(): SessionState {
  const { current } = useSession();
  if (!current) throw new Error('useSignedIn on a page shown while signed out');
  return current;
}
