// How many segments a text takes, as carriers bill it: GSM-7 texts hold 160 characters (153 per
// part when split; the extension characters take two), anything else is UCS-2: 70 (67 per part).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';
const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export function smsSegments(body: string): number {
  let septets = 0;
  for (const ch of body) {
    if (basic.has(ch)) septets += 1;
    else if (extension.has(ch)) septets += 2;
    else return ucs2Segments(body);
  }
  return septets <= 160 ? 1 : Math.ceil(septets / 153);
}

function ucs2Segments(body: string): number {
  // UTF-16 code units: an emoji takes two.
  return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
}
