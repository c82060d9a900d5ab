/** What the app writes to the queue for every code it hands out. */
export interface CodeMessage {
  code: string;
  /** ISO 8601 UTC, the same instant as in the HTTP answer. */
  timestamp: string;
  /** Correlates the message with the request's logs. */
  requestId: string;
}

export type MessageEncoding = 'base64' | 'text';

/**
 * The queue message body. Base64 is what an Azure Functions queue trigger
 * expects by default (`messageEncoding: base64` in host.json).
 */
export function encodeMessage(message: CodeMessage, encoding: MessageEncoding): string {
  const json = JSON.stringify(message);
  return encoding === 'base64' ? Buffer.from(json, 'utf8').toString('base64') : json;
}

/** Inverse of `encodeMessage`, for consumers and tests. */
export function decodeMessage(text: string, encoding: MessageEncoding): CodeMessage {
  const json = encoding === 'base64' ? Buffer.from(text, 'base64').toString('utf8') : text;
  return JSON.parse(json) as CodeMessage;
}
