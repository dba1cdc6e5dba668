// Selector parse errors carry upstream's message text verbatim: GAS answers a bad
// labelSelector/fieldSelector with 400 BadRequest and this text as the message.

export class SelectorError extends Error {
  override name = 'SelectorError';
}
