// "Code samples": pick any operation of the API (searchable, grouped by tag) and read how to
// call it with curl, the TypeScript SDK and the Python SDK, written from the OpenAPI document.
import { useMemo, useState } from 'react';
import { useCatalogue, type OperationEntry } from '../catalogue.ts';
import { codeSamples } from '../code-samples.ts';
import { SelectField, TextField } from './form-fields.tsx';
import { ProblemNotice } from './problem-notice.tsx';
import { CodeTabs } from './reference-code-tabs.tsx';

const NO_SDK = 'This operation has no SDK method (it is called by other services): use curl or any HTTP client.';

function matches(operation: OperationEntry, words: string[]): boolean {
  const text = (
    `${operation.summary} ${operation.method} ${operation.path} ${operation.sdkName ?? ''} ` + `${operation.tag}`
  ).toLowerCase();
  return words.every((word) => text.includes(word));
}

export function ReferenceSamples() {
  const catalogue = useCatalogue();
  const [search, setSearch] = useState('');
  const [chosenId, setChosenId] = useState<string | null>(null);
  const operations = catalogue.data?.operations ?? [];
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = operations.filter((operation) => matches(operation, words));
  const current = shown.find((operation) => operation.operationId === chosenId) ?? shown[0];
  const groups = new Map<string, OperationEntry[]>();
  for (const operation of shown) groups.set(operation.tag, [...(groups.get(operation.tag) ?? []), operation]);

  const document = catalogue.data?.document;
  const samples = useMemo(
    () => (current && document ? codeSamples(document, current, window.location.origin) : null),
    [current, document],
  );

  return (
    <section className="card reference-samples" aria-labelledby="code-samples-heading">
      <h2 id="code-samples-heading">Code samples</h2>
      <ProblemNotice error={catalogue.error} />
      <div className="toolbar">
        <TextField
          label="Find an operation"
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          hint="Words of its summary, path or SDK method: customer, POST /v1/jobs, invoices.send"
        />
        <SelectField
          label="Operation"
          value={current?.operationId ?? ''}
          onChange={(event) => setChosenId(event.target.value)}
          disabled={!shown.length}
        >
          {!shown.length ? (
            <option value="">{catalogue.loading ? 'Loading operations…' : 'No operation matches'}</option>
          ) : null}
          {[...groups].map(([tag, members]) => (
            <optgroup key={tag} label={tag}>
              {members.map((operation) => (
                <option key={operation.operationId} value={operation.operationId}>
                  {operation.summary} ({operation.method} {operation.path})
                </option>
              ))}
            </optgroup>
          ))}
        </SelectField>
      </div>
      {current && samples ? (
        <>
          <p className="reference-operation">
            <code>
              {current.method} {current.path}
            </code>
            {current.scope ? (
              <>
                {' '}
                · needs <code>{current.scope}</code>
              </>
            ) : null}
            {current.sdkName ? (
              <>
                {' '}
                · SDK method <code>{current.sdkName}</code>
              </>
            ) : null}
          </p>
          <CodeTabs
            label={`Code samples for ${current.summary}`}
            tabs={[
              { label: 'curl', code: samples.curl },
              { label: 'TypeScript SDK', code: samples.typescript, missing: NO_SDK },
              { label: 'Python SDK', code: samples.python, missing: NO_SDK },
            ]}
          />
        </>
      ) : (
        <p className="empty code-samples-empty" aria-busy={catalogue.loading}>
          {catalogue.loading ? 'Loading the operations…' : 'No operation matches the search: try fewer words.'}
        </p>
      )}
    </section>
  );
}
