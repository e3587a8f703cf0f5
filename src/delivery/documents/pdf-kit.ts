// pdfkit and the DejaVu Sans fonts every PDF embeds (documents and reports), both loaded by the first
// PDF a process prints, not at start. Fonts are read once per process: each PDF embeds only the
// glyphs it uses.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { lazyRequire } from '../../platform/lazy-require.ts';

const require = createRequire(import.meta.url);

export const pdfDocumentClass = lazyRequire<typeof import('pdfkit')>('pdfkit');

let fonts: { regular: Buffer; bold: Buffer } | undefined;
export const fontFiles = () =>
  (fonts ??= {
    regular: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')),
    bold: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')),
  });
