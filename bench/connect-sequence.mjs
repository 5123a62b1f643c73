// Run inside an agent container's network namespace (nsenter --net=/proc/<pid>/ns/net node this):
// TCP connects one after another, as an agent trying addresses in a row would, each timed alone.
// stdin: {"targets": [[host, port], ...], "timeoutMs": n}; stdout: [{host, port, ms, outcome}], where
// outcome is the connect's errno code (ECONNREFUSED: a TCP reset; EHOSTUNREACH: an ICMP
// unreachable/admin-prohibited), 'connected', or 'timeout' (no answer within timeoutMs).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const { targets, timeoutMs } = JSON.parse(readFileSync(0, 'utf8'));

const once = (host, port) => new Promise((resolve) => {
  const socket = connect({ host, port });
  const timer = setTimeout(() => { socket.destroy(); resolve('timeout'); }, timeoutMs);
  socket.once('connect', () => { clearTimeout(timer); socket.destroy(); resolve('connected'); });
  socket.once('error', (e) => { clearTimeout(timer); resolve(e.code ?? 'error'); });
});

const results = [];
for (const [host, port] of targets) {
  const t0 = process.hrtime.bigint();
  const outcome = await once(host, port);
  results.push({ host, port, ms: Number(process.hrtime.bigint() - t0) / 1e6, outcome });
}
process.stdout.write(JSON.stringify(results));
