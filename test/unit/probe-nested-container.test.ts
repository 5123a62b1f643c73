// The nested container's probe (issue 19): hermit's pause binary, its image, the commands that load
// and start it in the engine, and how its process is picked out on the host (running those commands:
// apply-nested-probe.test.ts). That nested containers are caged is proven in test/e2e/engine.test.ts.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describe as describeCmd } from '../../src/apply/exec.js';
import { NESTED_CONTAINER_ROW, withNested } from '../../src/probe/nested.js';
import { matchNestedProcess } from '../../src/probe/nested-container.js';
import { nestedProbeCommands } from '../../src/plan/nested-probe.js';
import { PAUSE_IMAGE, pauseArch, pauseCode, pauseElf, pauseRootfs } from '../../src/probe/pause-image.js';
import { VERSION } from '../../src/version.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe("hermit's pause binary", () => {
  it('is an ELF64 header, one PT_LOAD and the code, byte for byte (x86-64)', () => {
    const elf = pauseElf('x86_64');
    expect(elf.length).toBe(64 + 56 + 9);
    expect(hex(elf.subarray(0, 64))).toBe(
      '7f454c46020101000000000000000000' + // magic, 64-bit, little endian, version 1, System V
      '02003e00010000007800400000000000' + // ET_EXEC, EM_X86_64, EV_CURRENT, entry 0x400078
      '40000000000000000000000000000000' + // phoff 64, shoff 0
      '0000000040003800010000000000' + '0000', // flags 0, ehsize 64, phentsize 56, phnum 1, no sections
    );
    expect(hex(elf.subarray(64, 120))).toBe(
      '0100000005000000' + '0000000000000000' + // PT_LOAD, R+X, offset 0
      '0000400000000000' + '0000400000000000' + // vaddr, paddr 0x400000
      '8100000000000000' + '8100000000000000' + '0000010000000000', // filesz, memsz 129, align 64 KiB
    );
    // mov eax, 34 (pause); syscall; jmp -9 (back to the mov)
    expect(hex(elf.subarray(120))).toBe('b8220000000f05ebf7');
  });

  it('on aarch64: ppoll(NULL, 0, NULL, NULL) in a loop', () => {
    const elf = pauseElf('aarch64');
    expect(elf.readUInt16LE(18)).toBe(0xb7);
    expect(elf.length).toBe(64 + 56 + 28);
    expect(elf.readBigUInt64LE(96)).toBe(BigInt(elf.length));
    const words = [...Array(7).keys()].map((i) => elf.readUInt32LE(120 + 4 * i).toString(16));
    // mov x0..x3, #0; mov x8, #73; svc #0; b -24
    expect(words).toEqual(['d2800000', 'd2800001', 'd2800002', 'd2800003', 'd2800928', 'd4000001', '17fffffa']);
    expect(pauseCode('aarch64')).toEqual(elf.subarray(120));
  });

  it('names the machines it is made for', () => {
    expect(['x86_64\n', 'amd64', 'aarch64', 'arm64', 'riscv64'].map(pauseArch)).toEqual(['x86_64', 'x86_64', 'aarch64', 'aarch64', undefined]);
  });

  it.runIf(arch() === 'x64')('runs here and waits until it is killed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermit-pause-'));
    try {
      const file = join(dir, 'hermit-pause');
      writeFileSync(file, pauseElf('x86_64'), { mode: 0o755 });
      const child = spawn(file, [], { stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
      const state = () => readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0];
      // Alive and asleep in pause(): polled, never a fixed sleep.
      const deadline = Date.now() + 10_000;
      while (state() !== 'S' && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      expect(state()).toBe('S');
      expect(readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim()).toBe('hermit-pause');
      expect(child.exitCode).toBeNull();
      child.kill('SIGTERM');
      expect(await exited).toBe('SIGTERM');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the nested probe's image", () => {
  it('is a rootfs tar of the binary alone, 0755, owner 0:0', () => {
    const tar = pauseRootfs('x86_64');
    expect(tar.length).toBe(512 + 512 + 1024);
    expect(tar.subarray(0, 12).toString('latin1')).toBe('hermit-pause');
    expect(tar.subarray(100, 107).toString('latin1')).toBe('0000755');
    expect(tar.subarray(108, 115).toString('latin1')).toBe('0000000');
    expect(parseInt(tar.subarray(124, 135).toString('latin1'), 8)).toBe(129);
    expect(tar.subarray(512, 512 + 129)).toEqual(pauseElf('x86_64'));
    expect(tar.subarray(1024).every((b) => b === 0)).toBe(true);
  });

  it('is named with hermit\'s version, loaded and run through the engine\'s socket', () => {
    expect(PAUSE_IMAGE).toBe(`hermit-probe:${VERSION}`);
    const c = nestedProbeCommands;
    expect(describeCmd(c.load('e', 'x86_64'))).toBe(`docker exec -i e docker -H unix:///run/hermit-docker/docker.sock import --change 'ENTRYPOINT ["/hermit-pause"]' - ${PAUSE_IMAGE}`);
    expect(c.load('e', 'aarch64').inputBytes).toEqual(pauseRootfs('aarch64'));
    expect(describeCmd(c.run('e', 'hermit-probe-1'))).toBe(`docker exec e docker -H unix:///run/hermit-docker/docker.sock run -d --rm --pull never --network bridge --name hermit-probe-1 --label hermit.role=probe --cap-drop ALL --read-only --log-driver none ${PAUSE_IMAGE}`);
  });
});

describe('the nested container', () => {
  it('is the one process of hermit\'s binary the engine reports, seen from dockerd\'s pid namespace', () => {
    const procs = [
      { pid: 100, nspid: [100, 1], comm: 'rootlesskit' },
      { pid: 120, nspid: [120, 30], comm: 'dockerd' },
      // The agent's container running a copy of the binary, with the same pid in its own namespace.
      { pid: 150, nspid: [150, 55, 1], comm: 'hermit-pause' },
      { pid: 160, nspid: [160, 60, 1], comm: 'hermit-pause' },
      { pid: 170, nspid: [170, 61, 1], comm: 'sh' },
    ];
    expect(matchNestedProcess(procs, 2, 60)).toBe(160);
    expect(matchNestedProcess(procs, 2, 61)).toBeUndefined(); // not hermit's binary
    expect(matchNestedProcess(procs, 2, 1)).toBeUndefined(); // the container's own pid, not dockerd's view
    expect(matchNestedProcess([...procs, { pid: 180, nspid: [180, 60, 1], comm: 'hermit-pause' }], 2, 60)).toBeUndefined();
  });

  it('its rows are a section of their own: a breach there fails the whole', () => {
    const row = { id: 't1', kind: 'tcp' as const, target: '192.168.1.1:80', reason: 'r', expected: 'blocked' as const, observed: 'rejected', ok: true };
    const agent = { container: 'a', profile: 'agent', ok: true, rows: [row] };
    const merged = withNested(withNested(agent, agent), { ...agent, ok: false, rows: [{ ...row, ok: false, failure: 'breach' as const }] }, 'container');
    expect(merged.ok).toBe(false);
    expect(merged.rows.map((r) => r.id)).toEqual(['t1', 'nested:t1', `${NESTED_CONTAINER_ROW}t1`]);
    expect(merged.rows[2]!.target).toBe('192.168.1.1:80 [from a nested container]');
  });
});
