// The nested probe's image, made by hermit with no pull and no tool: one static ELF that waits
// (a pause loop) and nothing else, packed as a rootfs tar for `docker import`. hermit's probe
// worker comes from the host and only enters the container's network namespace (nsenter), so the
// image needs no more than a process that holds that namespace open. Pure.
import { tarArchive } from '../plan/tar.js';
import { VERSION } from '../version.js';

export type PauseArch = 'x86_64' | 'aarch64';

/** The binary's path in the image; its comm (≤ 15 characters) is its name. */
export const PAUSE_PATH = 'hermit-pause';
/** The image's name in the engine: one per hermit version, so a new hermit loads its own. */
export const PAUSE_IMAGE = `hermit-probe:${VERSION}`;

/** `uname -m` (or an image's Architecture) as one of the machines the binary is made for. */
export function pauseArch(machine: string): PauseArch | undefined {
  const m = machine.trim();
  if (m === 'x86_64' || m === 'amd64') return 'x86_64';
  if (m === 'aarch64' || m === 'arm64') return 'aarch64';
  return undefined;
}

const BASE = 0x400000;
const EHDR = 64;
const PHDR = 56;

/**
 * The instructions: forever wait for a signal (none is handled: PID 1 of a container ignores
 * SIGTERM, SIGKILL ends it).
 * x86-64: `mov eax, 34 (pause); syscall; jmp back`.
 * aarch64 (no pause there): `mov x0..x3, #0; mov x8, #73 (ppoll); svc #0; b back`.
 */
export function pauseCode(arch: PauseArch): Buffer {
  if (arch === 'x86_64') return Buffer.from([0xb8, 0x22, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7]);
  const words = [0xd2800000, 0xd2800001, 0xd2800002, 0xd2800003, 0xd2800928, 0xd4000001, 0x17fffffa];
  const out = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => out.writeUInt32LE(w, i * 4));
  return out;
}

/** A static ELF64 executable: the header, one PT_LOAD (read + execute) mapping the whole file at
 * 0x400000, the code right after; entry at the code. */
export function pauseElf(arch: PauseArch): Buffer {
  const code = pauseCode(arch);
  const size = EHDR + PHDR + code.length;
  const b = Buffer.alloc(size);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2 /* 64-bit */, 1 /* little endian */, 1 /* version */, 0 /* System V */], 0);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(arch === 'x86_64' ? 0x3e : 0xb7, 18); // EM_X86_64, EM_AARCH64
  b.writeUInt32LE(1, 20); // EV_CURRENT
  b.writeBigUInt64LE(BigInt(BASE + EHDR + PHDR), 24); // e_entry
  b.writeBigUInt64LE(BigInt(EHDR), 32); // e_phoff
  b.writeBigUInt64LE(0n, 40); // e_shoff
  b.writeUInt32LE(0, 48); // e_flags
  b.writeUInt16LE(EHDR, 52); // e_ehsize
  b.writeUInt16LE(PHDR, 54); // e_phentsize
  b.writeUInt16LE(1, 56); // e_phnum
  // e_shentsize, e_shnum, e_shstrndx: 0 (no sections)
  const p = EHDR;
  b.writeUInt32LE(1, p); // PT_LOAD
  b.writeUInt32LE(5, p + 4); // PF_R | PF_X
  b.writeBigUInt64LE(0n, p + 8); // p_offset
  b.writeBigUInt64LE(BigInt(BASE), p + 16); // p_vaddr
  b.writeBigUInt64LE(BigInt(BASE), p + 24); // p_paddr
  b.writeBigUInt64LE(BigInt(size), p + 32); // p_filesz
  b.writeBigUInt64LE(BigInt(size), p + 40); // p_memsz
  b.writeBigUInt64LE(0x10000n, p + 48); // p_align (64 KiB: any page size)
  code.copy(b, EHDR + PHDR);
  return b;
}

/** The image's root filesystem for `docker import`: the binary alone, mode 0755, owner 0:0. */
export const pauseRootfs = (arch: PauseArch): Buffer =>
  tarArchive([{ path: PAUSE_PATH, type: 'file', mode: 0o755, mtime: 0, data: pauseElf(arch) }]);
