// The microphone, for a spoken command: MediaRecorder records until stopped (or a minute passes),
// and the recording goes to the API as base64 audio, transcribed there by the account's LLM
// provider. Nothing is sent to a browser vendor's speech service.
import { useCallback, useRef, useState } from 'react';

/** Longest recording: a command is a sentence, and the API takes at most 512 KiB. */
const MAX_RECORDING_MS = 60_000;

export interface Recording {
  data: string;
  /** Without codec parameters (`audio/webm`), as the API lists its types. */
  contentType: string;
}

const base64Of = (bytes: ArrayBuffer) => {
  let binary = '';
  const view = new Uint8Array(bytes);
  for (let i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(binary);
};

export function microphoneAvailable(): boolean {
  return typeof MediaRecorder !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
}

/** start() asks for the microphone and records; stop() resolves the recording through onRecorded. */
export function useVoiceRecorder(onRecorded: (recording: Recording) => void) {
  const recorder = useRef<MediaRecorder | null>(null);
  const [recording, setRecording] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const stop = useCallback(() => recorder.current?.state === 'recording' && recorder.current.stop(), []);

  const start = useCallback(async () => {
    setProblem(null);
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      setProblem('The browser did not allow the microphone: type the command instead.');
      return;
    }
    const media = new MediaRecorder(stream);
    const chunks: Blob[] = [];
    media.ondataavailable = (event) => chunks.push(event.data);
    media.onstop = async () => {
      stream.getTracks().forEach((track) => track.stop());
      setRecording(false);
      const blob = new Blob(chunks, { type: media.mimeType });
      if (!blob.size) return setProblem('Nothing was recorded.');
      onRecorded({ data: base64Of(await blob.arrayBuffer()), contentType: media.mimeType.split(';')[0] });
    };
    recorder.current = media;
    media.start();
    setRecording(true);
    setTimeout(() => media.state === 'recording' && media.stop(), MAX_RECORDING_MS);
  }, [onRecorded]);

  return { start, stop, recording, problem };
}
