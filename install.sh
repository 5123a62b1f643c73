#!/usr/bin/env bash
# Installs hermit from this checkout: node modules, build, and `hermit` on PATH.
# Then says what it could not check or do (no Docker engine, not root, old Node).
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)

say() { printf '%s\n' "$*"; }
warn() { printf 'install.sh: %s\n' "$*" >&2; }

need_node="20.19.0"
if ! command -v node >/dev/null; then
  warn "Node.js is not installed: install Node.js >= $need_node (https://nodejs.org or your distribution's nodejs package), then run ./install.sh again"
  exit 1
fi
if ! node -e "const [a,b]=process.versions.node.split('.').map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)"; then
  warn "Node.js $(node --version) is too old: hermit needs >= $need_node"
  exit 1
fi

say "==> installing node modules"
npm ci --no-audit --no-fund --loglevel=error
say "==> building"
npm run --silent build

bin_dir=/usr/local/bin
[ "$(id -u)" -eq 0 ] || bin_dir="$HOME/.local/bin"
mkdir -p "$bin_dir"
ln -sf "$here/bin/hermit" "$bin_dir/hermit"
say "==> linked $bin_dir/hermit -> $here/bin/hermit"
case ":$PATH:" in *":$bin_dir:"*) ;; *) warn "$bin_dir is not on your PATH: add it (export PATH=\"$bin_dir:\$PATH\")";; esac

# What hermit run needs at run time; reported, not installed, because they are the host's business.
missing=0
for tool in docker iptables iptables-save iptables-restore ip nsenter; do
  command -v "$tool" >/dev/null || { warn "missing: $tool (hermit run needs it; on Debian/Ubuntu: apt-get install docker.io iptables iproute2 util-linux)"; missing=1; }
done
if command -v docker >/dev/null && ! docker info >/dev/null 2>&1; then
  warn "no Docker engine answers (docker info failed): start one (systemctl start docker) before hermit run"
  missing=1
fi
if [ "$(id -u)" -ne 0 ]; then
  warn "not root: hermit run changes iptables and enters network namespaces, so run it with sudo"
fi
say "==> done: $(node "$here/bin/hermit" --version)"
[ "$missing" -eq 0 ] || warn "hermit is installed, but the host is not ready for hermit run (see above)"
