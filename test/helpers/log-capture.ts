import { Writable } from 'node:stream';

/** A logger destination that keeps every line, to check what was (and was not) logged. */
export class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}
