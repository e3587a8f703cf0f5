// Where an account's stored files are: the storage keys modules give them all begin with the
// account's id (job photos and signatures `{account}/{id}`, mail attachments
// `{account}/gmail/...` and `{account}/microsoft/...`) or sit in a folder of the account under a
// module's own (`reports/{account}/...`, `account-exports/{account}/...`). The archive takes
// every file but the archives themselves; the purge removes them all.
export const EXPORTS_FOLDER = 'account-exports';

/** Where an archive is kept. */
export const exportStorageKey = (accountId: string, exportId: string) => `${EXPORTS_FOLDER}/${accountId}/${exportId}`;

/** The folders of the account's own files: what an archive holds. */
export const accountFilePrefixes = (accountId: string): string[] => [`${accountId}/`, `reports/${accountId}/`];

/** Every folder of the account, its archives included: what deletion empties. */
export const allAccountFilePrefixes = (accountId: string): string[] => [
  ...accountFilePrefixes(accountId),
  `${EXPORTS_FOLDER}/${accountId}/`,
];
