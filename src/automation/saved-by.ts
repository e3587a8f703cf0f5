// Rules and workflows act with the scopes of whoever saved them last: the fields that say so,
// and what a save stamps on them.
import { field } from '../platform/resource/fields.ts';
import type { OperationContext } from '../platform/contract.ts';

export const savedByFields = {
  acts_with_scopes: field.tags().readOnly().describe('The scopes its runs have: those of whoever saved it last.'),
  saved_by: field.text().readOnly().describe('The API key, member or app that saved it last.'),
};

export const savedBy = ({ principal }: OperationContext) => ({
  acts_with_scopes: [...principal.scopes].sort(),
  saved_by: principal.keyId ?? principal.userId ?? principal.oauthClientId ?? null,
});
