/** One Server-Sent Events message: its `event:` name (default `message`) and its `data:` lines joined by newlines. */
export interface SseMessage {
  event: string;
  data: string;
}

/**
 * Parses as many complete messages as `buffer` holds, per the EventSource rules: lines end in
 * LF, CRLF or CR; a blank line ends a message; several `data:` lines join with "\n"; one space
 * after the colon is dropped; lines starting with ":" are comments. Returns the unfinished tail.
 */
export function parseSse(buffer: string): { messages: SseMessage[]; rest: string } {
  const messages: SseMessage[] = [];
  let event = '';
  let data: string[] = [];
  let start = 0;
  let messageStart = 0;
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer[i];
    if (c !== '\n' && c !== '\r') continue;
    // A CR at the very end may be the first half of a CRLF: wait for more.
    if (c === '\r' && i === buffer.length - 1) break;
    const line = buffer.slice(start, i);
    if (c === '\r' && buffer[i + 1] === '\n') i++;
    start = i + 1;
    if (line === '') {
      if (data.length) messages.push({ event: event || 'message', data: data.join('\n') });
      event = '';
      data = [];
      messageStart = start;
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return { messages, rest: buffer.slice(messageStart) };
}
