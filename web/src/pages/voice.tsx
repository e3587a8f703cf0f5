// Voice: run the business by speaking (POST /v1/voice-commands, scope write:voice-commands). A
// command, typed or recorded, becomes a plan: lookups run at once, changes wait until confirmed
// here. The latest commands are listed below with what they did.
import { useCallback, useState, type FormEvent } from 'react';
import { fieldline } from '../api.ts';
import { useAction } from '../use-action.ts';
import { useCursorList } from '../use-query.ts';
import { PageHeader } from '../components/page-header.tsx';
import { ProblemNotice } from '../components/problem-notice.tsx';
import { COMMAND_STATUS_LABELS, VoicePlan, type VoiceCommand } from '../components/voice-plan.tsx';
import { microphoneAvailable, useVoiceRecorder, type Recording } from '../components/voice-recorder.ts';
import { formatDate } from '../components/format.ts';
import './voice.css';

const EXAMPLE = 'Schedule the Jones water heater job for Tuesday at 9 with Dee';

export function VoicePage() {
  const [text, setText] = useState('');
  const [command, setCommand] = useState<VoiceCommand | null>(null);
  const give = useAction(async (body: Parameters<typeof fieldline.voiceCommands.give>[0]) => {
    const given = await fieldline.voiceCommands.give(body);
    setCommand(given);
    return given;
  });
  const confirm = useAction(async (id: string) => setCommand(await fieldline.voiceCommands.confirm(id)));
  const recent = useCursorList(
    (cursor) => fieldline.voiceCommands.list({ limit: 10, cursor }),
    [command?.id, command?.status],
  );
  const onRecorded = useCallback(
    (audio: Recording) => void give.run({ audio: { data: audio.data, content_type: audio.contentType as never } }),
    [give.run],
  );
  const recorder = useVoiceRecorder(onRecorded);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim()) void give.run({ text: text.trim() });
  };
  const waiting = command?.status === 'planned';

  return (
    <section className="voice">
      <PageHeader
        title="Voice"
        description={
          'Say what to do. Lookups run at once; changes wait until you confirm them, ' +
          "and each needs your role's permission."
        }
      />
      <form className="voice-form" onSubmit={onSubmit}>
        <label htmlFor="voice-text">Command</label>
        <div className="voice-input">
          <input
            id="voice-text"
            name="text"
            value={text}
            maxLength={1000}
            placeholder={EXAMPLE}
            onChange={(event) => setText(event.target.value)}
          />
          <button type="submit" className="button-primary" disabled={give.busy || !text.trim()}>
            {give.busy ? 'Working…' : 'Plan'}
          </button>
          {microphoneAvailable() ? (
            <button
              type="button"
              aria-pressed={recorder.recording}
              onClick={() => (recorder.recording ? recorder.stop() : void recorder.start())}
            >
              {recorder.recording ? 'Stop and send' : 'Speak'}
            </button>
          ) : null}
        </div>
        <p className="muted">
          Spoken commands are transcribed by your account&apos;s LLM provider. Try “{EXAMPLE}”, “find invoices for
          Jones” or “add a note to the Jones job: gate code 4512”.
        </p>
      </form>
      {recorder.problem ? <p className="notice notice-info">{recorder.problem}</p> : null}
      <ProblemNotice error={give.error} title="The command was not planned" />
      {command ? (
        <article className="voice-command" aria-live="polite" aria-label="Command">
          <h2>
            “{command.text}”{' '}
            <span className="badge">{command.status ? COMMAND_STATUS_LABELS[command.status] : ''}</span>
          </h2>
          <VoicePlan command={command} />
          {waiting ? (
            <p className="actions">
              <button
                type="button"
                className="button-primary"
                disabled={confirm.busy}
                onClick={() => void confirm.run(command.id)}
              >
                {confirm.busy ? 'Running…' : 'Confirm and run'}
              </button>
              {command.expires_at ? <span className="muted">Until {formatDate(command.expires_at)}.</span> : null}
            </p>
          ) : null}
          <ProblemNotice error={confirm.error} title="The command did not run" />
        </article>
      ) : null}
      <h2>Recent commands</h2>
      <ProblemNotice error={recent.error} />
      {recent.items.length ? (
        <ul className="voice-recent">
          {recent.items.map((item) => (
            <li key={item.id}>
              <span className="badge">{item.status ? COMMAND_STATUS_LABELS[item.status] : ''}</span> {item.text}{' '}
              <span className="muted">{item.created_at ? formatDate(item.created_at) : ''}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{recent.loading ? 'Loading…' : 'No commands yet.'}</p>
      )}
    </section>
  );
}
