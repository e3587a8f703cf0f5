// Only an active account's background work acts. A suspended account (by an operator) or a closed
// one (being deleted) keeps what it queued (webhook deliveries, automation runs, a campaign's
// sending, mail, texts and push notifications) waiting in the database, and it goes on after
// resume. Each worker's claim carries this condition, so a paused account's work is never taken
// and never half done.

/** SQL: the account whose id `accountIdColumn` holds is active. */
export const accountIsActive = (accountIdColumn: string) =>
  `EXISTS (SELECT 1 FROM accounts active_account
            WHERE active_account.id = ${accountIdColumn} AND active_account.status = 'active')`;
