/** What the app writes to the queue for every code it hands out. */
export interface CodeMessage {
  code: string;
  /** ISO 8601 UTC, the same instant as in the HTTP answer. */
  timestamp: string;
  requestId: string;
}

/** Base64 JSON, what an Azure Functions queue trigger expects by default. */
export function encodeMessage(message: CodeMessage): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}

export function decodeMessage(text: string): CodeMessage {
  return JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as CodeMessage;
}
