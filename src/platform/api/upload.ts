// Files in and out of operations: an uploaded file, what an upload accepts, and raw bytes as an answer.
/** A file sent in a multipart/form-data body. */
export interface UploadedFile {
  bytes: Buffer;
  /** The name the client gave it. */
  filename: string;
  /** The media type the client declared (not trusted: check the bytes). */
  declaredType: string;
  sha256: string;
}

/** A body that is multipart/form-data: one file part and text fields. */
export interface UploadSpec {
  /** The form field holding the file. */
  field: string;
  /** The largest file accepted (413 beyond). */
  maxBytes: number;
  /** Media types documented as accepted, e.g. `image/png`. */
  mediaTypes: readonly string[];
}

/** A success body that is raw bytes (a photo), or a stream of them (a large file), not `{ data }` JSON. */
export class BinaryBody {
  constructor(
    readonly bytes: Uint8Array | ReadableStream<Uint8Array>,
    readonly contentType: string,
    readonly filename?: string,
  ) {}
}
