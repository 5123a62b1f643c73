// systemd units for the guard: hermit-boot (rules back before dockerd starts its containers) and
// hermit-guard (the foreground guard, after dockerd). Rendering is pure; install runs systemctl.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../apply/exec.js';

export const UNIT_DIR = () => process.env.HERMIT_UNIT_DIR ?? '/etc/systemd/system';
export const BOOT_UNIT = 'hermit-boot.service';
export const GUARD_UNIT = 'hermit-guard.service';

const quoteArg = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\])/g, '\\$1')}"`);

export interface UnitOptions {
  /** Node and hermit's entry script, absolute. */
  node: string;
  script: string;
  profiles: string[];
  intervalSec: number;
  /** HERMIT_STATE_DIR and the like, when set at install time. */
  env: Record<string, string>;
}

export function renderUnits(o: UnitOptions): Record<string, string> {
  const exec = (args: string[]) => [o.node, o.script, ...args].map(quoteArg).join(' ');
  const env = Object.entries(o.env).map(([k, v]) => `Environment=${quoteArg(`${k}=${v}`)}\n`).join('');
  return {
    [BOOT_UNIT]: `# Written by hermit guard --install. Puts hermit's saved rules back before Docker starts
# restart-policy containers, so none of them runs unprotected after a reboot.
[Unit]
Description=hermit: restore container isolation rules before Docker starts
DefaultDependencies=no
After=local-fs.target
# After firewall managers that flush iptables on start; before Docker and its containers.
After=firewalld.service ufw.service netfilter-persistent.service iptables.service
Before=docker.service network-pre.target
Wants=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=yes
${env}ExecStart=${exec(['guard', '--boot'])}

[Install]
# Wanted, not required: a failed restore must not stop Docker (and other people's containers);
# hermit-guard then verifies after Docker starts and stops what it cannot protect.
WantedBy=multi-user.target docker.service
`,
    [GUARD_UNIT]: `# Written by hermit guard --install. Re-verifies isolation on Docker events and every ${o.intervalSec} s;
# restores drifted rules, or stops the container when it cannot.
[Unit]
Description=hermit: keep container isolation verified
After=docker.service ${BOOT_UNIT}
Wants=docker.service

[Service]
Type=simple
${env}ExecStart=${exec(['guard', '--interval', String(o.intervalSec), ...o.profiles])}
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target docker.service
`,
  };
}

async function systemctl(args: string[], log: (l: string) => void): Promise<boolean> {
  const r = await exec({ file: 'systemctl', args }).catch((e: unknown) => ({ exitCode: 127, stderr: (e as Error).message, stdout: '' }));
  log(`systemctl ${args.join(' ')}: ${r.exitCode === 0 ? 'ok' : `failed: ${r.stderr.trim()}`}`);
  return r.exitCode === 0;
}

export async function installUnits(o: UnitOptions, log: (l: string) => void): Promise<boolean> {
  await mkdir(UNIT_DIR(), { recursive: true });
  for (const [name, text] of Object.entries(renderUnits(o))) {
    await writeFile(join(UNIT_DIR(), name), text, { mode: 0o644 });
    log(`wrote ${join(UNIT_DIR(), name)}`);
  }
  if (process.env.HERMIT_UNIT_DIR) return true; // a test directory: no systemd to tell
  return (await systemctl(['daemon-reload'], log)) && (await systemctl(['enable', '--now', BOOT_UNIT, GUARD_UNIT], log));
}

export async function uninstallUnits(log: (l: string) => void): Promise<boolean> {
  let ok = true;
  if (!process.env.HERMIT_UNIT_DIR) ok = await systemctl(['disable', '--now', GUARD_UNIT, BOOT_UNIT], log);
  for (const name of [GUARD_UNIT, BOOT_UNIT]) {
    await rm(join(UNIT_DIR(), name), { force: true });
    log(`removed ${join(UNIT_DIR(), name)}`);
  }
  if (!process.env.HERMIT_UNIT_DIR) ok = (await systemctl(['daemon-reload'], log)) && ok;
  return ok;
}
