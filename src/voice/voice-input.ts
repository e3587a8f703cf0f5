// What a voice command says: typed text, or audio transcribed by the account's LLM provider
// (speech-to-text). Either way the transcript is checked the same: empty or too long is a 422
// naming why, so a client learns to re-record rather than retry.
import { transcribeAudio } from '../ai/llm-client.ts';
import { validationFailed } from '../platform/errors.ts';
import type { Runtime } from '../platform/contract.ts';
import { MAX_TRANSCRIPT_CHARS } from './voice-commands.ts';

/** Formats OpenAI-compatible speech-to-text APIs take. */
export const AUDIO_TYPES = [
  'audio/mpeg',
  'audio/mp4',
  'audio/m4a',
  'audio/wav',
  'audio/x-wav',
  'audio/webm',
  'audio/ogg',
  'audio/flac',
] as const;
/** A spoken command is seconds long: 512 KiB holds minutes of compressed speech (and fits a 1 MiB JSON body). */
export const MAX_AUDIO_BYTES = 512 * 1024;

export interface Audio {
  data: Buffer;
  contentType: string;
  filename?: string;
}

const EXTENSIONS: Record<string, string> = { 'audio/mpeg': 'mp3', 'audio/x-wav': 'wav', 'audio/m4a': 'm4a' };

export function audioFromJson(audio: { data: string; content_type: string }): Audio {
  const extension = EXTENSIONS[audio.content_type] ?? audio.content_type.split('/')[1];
  return { data: Buffer.from(audio.data, 'base64'), contentType: audio.content_type, filename: `command.${extension}` };
}

/** The transcript, trimmed: 422 when it says nothing or is longer than a command. */
export function checkedTranscript(text: string, path = 'text'): string {
  const said = text.replace(/\s+/g, ' ').trim();
  if (!said) throw validationFailed([{ path, message: 'The command is empty: say or type what to do' }]);
  if (said.length > MAX_TRANSCRIPT_CHARS)
    throw validationFailed([
      {
        path,
        message:
          `The command is ${said.length} characters long; at most ${MAX_TRANSCRIPT_CHARS}: ` +
          'say one thing at a time',
      },
    ]);
  return said;
}

/** Speech to text through the account's default provider (409 `llm_provider_missing` without one). */
export async function transcriptOf(runtime: Runtime, accountId: string, audio: Audio): Promise<string> {
  if (!audio.data.length) throw validationFailed([{ path: 'audio', message: 'The recording is empty' }]);
  const { text } = await transcribeAudio(runtime, accountId, audio);
  return checkedTranscript(text, 'audio');
}
