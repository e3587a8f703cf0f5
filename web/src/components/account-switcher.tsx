// For people in several accounts: which account this session acts in, and switching it.
import { useState } from 'react';
import { useSession } from '../session.tsx';
import { ProblemNotice } from './problem-notice.tsx';

export function AccountSwitcher() {
  const { current, switchAccount } = useSession();
  const [error, setError] = useState<unknown>(null);
  if (!current) return null;
  if (current.accounts.length < 2)
    return <span className="account-name">{current.member?.account_name ?? 'No account'}</span>;
  return (
    <>
      <label className="sr-only" htmlFor="account-switcher">
        Account
      </label>
      <select
        id="account-switcher"
        value={current.session.active_account_id ?? ''}
        onChange={async (event) => {
          setError(null);
          await switchAccount(event.target.value).catch(setError);
        }}
      >
        {current.accounts.map((account) => (
          <option key={account.account_id} value={account.account_id}>
            {account.account_name} ({account.role})
          </option>
        ))}
      </select>
      <ProblemNotice error={error} />
    </>
  );
}
