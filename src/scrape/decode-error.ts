// The one error both kubelet decoders throw. The scraper catches it, skips the
// node for this tick and counts the failure as reason "decode"; nothing else
// escapes a decoder.

export class DecodeError extends Error {
  override name = 'DecodeError';
}
