// A tar writer for build contexts hermit sends to `docker build -`: ustar headers, with a pax
// extended header in front of an entry whose name or link target does not fit (or is not ASCII),
// as Go's archive/tar writes them. Owner 0:0, as the docker CLI sends a context. Pure.

export interface TarEntry {
  /** Relative path, '/'-separated, no leading './'. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** Permission bits (and set-id/sticky bits). */
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** A file's content. */
  data?: Uint8Array;
  /** A symbolic link's target, as written. */
  target?: string;
}

const BLOCK = 512;
const TYPEFLAG = { file: '0', dir: '5', symlink: '2', pax: 'x' } as const;

/** The whole archive: each entry, then two zero blocks. */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) parts.push(...tarEntry(e));
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function tarEntry(e: TarEntry): Buffer[] {
  const name = e.type === 'dir' ? `${e.path.replace(/\/$/, '')}/` : e.path;
  const target = e.type === 'symlink' ? e.target ?? '' : '';
  const data = e.type === 'file' ? Buffer.from(e.data ?? new Uint8Array()) : Buffer.alloc(0);
  const pax: Record<string, string> = {};
  if (!fits(name, 100)) pax.path = name;
  if (!fits(target, 100)) pax.linkpath = target;
  if (data.length > 0o77777777777) pax.size = String(data.length);
  const out: Buffer[] = [];
  if (Object.keys(pax).length > 0) {
    const body = paxRecords(pax);
    out.push(header({ name: truncate(`PaxHeaders/${name}`, 100), mode: 0o644, size: body.length, mtime: e.mtime, type: TYPEFLAG.pax, link: '' }), padded(body));
  }
  out.push(header({ name: truncate(name, 100), mode: e.mode & 0o7777, size: data.length, mtime: e.mtime, type: TYPEFLAG[e.type], link: truncate(target, 100) }));
  if (data.length > 0) out.push(padded(data));
  return out;
}

/** Fits a ustar field as it is: ASCII (other bytes go through pax, as UTF-8), short enough. */
const fits = (text: string, max: number) => /^[\x20-\x7e]*$/.test(text) && text.length <= max;
const truncate = (text: string, max: number) => Buffer.from(text.replace(/[^\x20-\x7e]/g, '_')).subarray(0, max).toString('latin1');

/** pax records: "<length> <key>=<value>\n", the length counting itself. */
export function paxRecords(fields: Record<string, string>): Buffer {
  const records = Object.entries(fields).map(([k, v]) => {
    const rest = ` ${k}=${v}\n`;
    const restBytes = Buffer.byteLength(rest);
    let len = restBytes + 1;
    while (String(len).length + restBytes !== len) len = String(len).length + restBytes;
    return `${len}${rest}`;
  });
  return Buffer.from(records.join(''));
}

const padded = (data: Buffer) => (data.length % BLOCK === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - (data.length % BLOCK))]));

interface Header { name: string; mode: number; size: number; mtime: number; type: string; link: string }

function header(h: Header): Buffer {
  const b = Buffer.alloc(BLOCK);
  const text = (at: number, len: number, value: string) => b.write(value, at, len, 'latin1');
  const octal = (at: number, len: number, value: number) => text(at, len - 1, Math.max(0, Math.floor(value)).toString(8).padStart(len - 1, '0'));
  text(0, 100, h.name);
  octal(100, 8, h.mode);
  octal(108, 8, 0); // uid
  octal(116, 8, 0); // gid
  octal(124, 12, Math.min(h.size, 0o77777777777));
  octal(136, 12, h.mtime);
  text(156, 1, h.type);
  text(157, 100, h.link);
  text(257, 6, 'ustar\0');
  text(263, 2, '00');
  text(265, 32, 'root');
  text(297, 32, 'root');
  // The checksum is the sum of the header's bytes, its own field counted as spaces.
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  text(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return b;
}
