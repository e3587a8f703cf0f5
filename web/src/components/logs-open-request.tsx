// "Paste a request id": opens one entry of the request log, e.g. the X-Request-Id of a failed
// call or the request_id of a problem response.
import { useId, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { TextField } from './form-fields.tsx';

/** The ids the server mints or accepts (request-logs-resource.ts). */
const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export function LogsOpenRequest() {
  const [, navigate] = useLocation();
  const hintId = useId();
  const [value, setValue] = useState('');
  const [invalid, setInvalid] = useState(false);
  const open = (event: FormEvent) => {
    event.preventDefault();
    const id = value.trim();
    if (!REQUEST_ID.test(id)) {
      setInvalid(true);
      return;
    }
    navigate(`/logs/${encodeURIComponent(id)}`);
  };
  return (
    <form className="logs-open" onSubmit={open} aria-label="Open a request">
      <div className="toolbar">
        <TextField
          label="Paste a request id"
          value={value}
          size={34}
          spellCheck={false}
          onChange={(event) => {
            setValue(event.target.value);
            setInvalid(false);
          }}
          aria-invalid={invalid || undefined}
          aria-describedby={hintId}
        />
        <button type="submit" disabled={!value.trim()}>
          Open request
        </button>
      </div>
      <p id={hintId} className={invalid ? 'small' : 'muted small'} role={invalid ? 'alert' : undefined}>
        {invalid
          ? 'That is not a request id: they are letters, digits and _ . : - (up to 128).'
          : 'Such as req_01JD3QZ7W7N5Q2T3V9X4Y6Z8AB: from the X-Request-Id response header, ' +
            'or the request_id of an error response.'}
      </p>
    </form>
  );
}
