import fs from 'node:fs';
import type { Writable } from 'node:stream';
import type { Cell } from './mapped';

/**
 * A canonical CSV written to a temporary file as resources are mapped (RFC 4180
 * quoting), so a load of any size streams in flat memory and each entity is later fed
 * to the CSV loader as one batch.
 */
export class CsvSpool {
  rows = 0;
  private readonly out: Writable;
  private buf = '';

  constructor(readonly file: string, header: readonly string[] | null) {
    this.out = fs.createWriteStream(file);
    if (header) this.buf = `${header.join(',')}\n`;
  }

  async write(cells: readonly Cell[]): Promise<void> {
    this.rows++;
    this.buf += `${cells.map(csvCell).join(',')}\n`;
    if (this.buf.length < 1 << 16) return;
    const chunk = this.buf;
    this.buf = '';
    if (this.out.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const onDrain = () => { this.out.off('error', onError); resolve(); };
      const onError = (e: Error) => { this.out.off('drain', onDrain); reject(e); };
      this.out.once('drain', onDrain);
      this.out.once('error', onError);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(this.buf, () => resolve());
      this.buf = '';
    });
  }
}

export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
