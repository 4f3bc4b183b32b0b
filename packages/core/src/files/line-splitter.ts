/**
 * Splitting text into lines (`\n` or `\r\n`) incrementally, for JSON Lines. Memory is bounded by the longest
 * line: past `maxLineChars` the file fails loudly rather than buffering a file that has no line breaks at all.
 */
import { UnreadableContentError } from "./errors";

/**
 * @example
 * const lines = new LineSplitter(1 << 20);
 * lines.push('{"a":1}\r\n{"a"'); // ['{"a":1}']
 * lines.push(":2}");             // []
 * lines.end();                   // ['{"a":2}']
 */
export class LineSplitter {
  private rest = "";

  constructor(private readonly maxLineChars: number) {}

  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const lines: string[] = [];
    let start = 0;
    // `rest` holds no line break (every complete line left on the previous push): search only the new text.
    for (let at = text.indexOf("\n", this.rest.length); at >= 0; at = text.indexOf("\n", start)) {
      lines.push(text.slice(start, at > start && text.charCodeAt(at - 1) === 13 ? at - 1 : at));
      start = at + 1;
    }
    this.rest = text.slice(start);
    if (this.rest.length > this.maxLineChars) {
      throw new UnreadableContentError(
        `a line is longer than ${this.maxLineChars} characters (it starts ${JSON.stringify(this.rest.slice(0, 60))}); is this really JSON Lines?`,
      );
    }
    return lines;
  }

  /** The last line, when the file does not end with a line break. */
  end(): string[] {
    const last = this.rest.replace(/\r$/, "");
    this.rest = "";
    return last === "" ? [] : [last];
  }
}
