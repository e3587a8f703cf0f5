// A voice command's plan as a person reads it: each step (what it is for, the tool it calls, what
// it found or did), what could not be told apart, and whether the writes wait for confirmation.
import type { Schema } from '../api.ts';

export type VoiceCommand = Schema<'VoiceCommand'>;
type Step = NonNullable<VoiceCommand['plan']>[number];

const STEP_BADGES: Record<Step['status'], { label: string; tone: string }> = {
  done: { label: 'Done', tone: 'badge-good' },
  planned: { label: 'Waits for you', tone: 'badge-warn' },
  not_allowed: { label: 'Not allowed', tone: 'badge-bad' },
  failed: { label: 'Failed', tone: 'badge-bad' },
  skipped: { label: 'Skipped', tone: '' },
};

export const COMMAND_STATUS_LABELS: Record<NonNullable<VoiceCommand['status']>, string> = {
  planned: 'Planned: confirm to run the changes',
  needs_clarification: 'Needs clarification',
  not_allowed: 'Not allowed for your role',
  not_understood: 'Not understood',
  executing: 'Running',
  executed: 'Done',
  partially_failed: 'Partly done',
  failed: 'Failed',
  expired: 'Expired',
};

export function VoicePlan({ command }: { command: VoiceCommand }) {
  const steps = command.plan ?? [];
  return (
    <div className="voice-plan">
      {command.summary ? <p className="voice-summary">{command.summary}</p> : null}
      {command.ambiguities?.length ? (
        <div className="notice notice-info">
          {command.ambiguities.map((ambiguity) => (
            <div key={ambiguity.reference}>
              <p>{ambiguity.message}</p>
              <ul>
                {ambiguity.candidates.map((candidate) => (
                  <li key={candidate.id}>
                    {candidate.name} <code>{candidate.id}</code>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      ) : null}
      {steps.length ? (
        <ol className="voice-steps" aria-label="Plan">
          {steps.map((step, index) => (
            <li key={index}>
              <span className={`badge ${STEP_BADGES[step.status].tone}`}>{STEP_BADGES[step.status].label}</span>{' '}
              <strong>{step.purpose}</strong> <code>{step.tool}</code>
              {step.summary ? <p className="muted">{step.summary}</p> : null}
              {step.missing_scope ? (
                <p className="muted">
                  Needs the scope <code>{step.missing_scope}</code>.
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
