#!/bin/sh
# Turns a Debian bookworm root filesystem holding docker.io, rootlesskit, slirp4netns and uidmap into
# hermit's engine image: run as root inside it, by the Dockerfile here and (chrooted) by the e2e
# tests, so both images are made by the same steps.
#  - the engine's user: uid/gid 1000, `rootless`, with 65536 subordinate ids for the user namespace
#    rootlesskit creates (newuidmap/newgidmap read /etc/subuid and /etc/subgid);
#  - no setuid or setgid program but newuidmap and newgidmap: those two are the only ones that may
#    use the capabilities the container's bounding set keeps;
#  - /usr/local/sbin/dockerd: what dockerd-rootless.sh runs inside rootlesskit (it execs `dockerd`
#    from PATH), which first points the engine's resolver at the declared resolvers (HERMIT_ENGINE_DNS)
#    or, in allowlist mode, writes the agent's docker CLI configuration naming hermit's proxy
#    (HERMIT_DOCKER_CONFIG).
set -eu

getent group rootless >/dev/null || groupadd --gid 1000 rootless
getent passwd rootless >/dev/null || useradd --uid 1000 --gid 1000 --home-dir /home/rootless --create-home --shell /bin/sh rootless
echo 'rootless:100000:65536' > /etc/subuid
echo 'rootless:100000:65536' > /etc/subgid

# Where the engine keeps its images and containers (a named volume in hermit) and its socket (a
# volume the agent mounts): both the engine user's, so a fresh volume starts with that owner.
install -d -o 1000 -g 1000 -m 0700 /home/rootless/.local /home/rootless/.local/share /home/rootless/.local/share/docker
install -d -o 1000 -g 1000 -m 0755 /run/hermit-docker

ln -sf /usr/share/docker.io/contrib/dockerd-rootless.sh /usr/local/bin/dockerd-rootless.sh
cat > /usr/local/sbin/dockerd <<'SH'
#!/bin/sh
# Runs inside rootlesskit's namespaces, where /etc is a private copy: slirp4netns's resolver
# (10.0.2.3) forwards to the agent's 127.0.0.11, which slirp4netns may not reach
# (--disable-host-loopback), so the engine and its containers use the declared resolvers instead.
set -eu
# /etc/resolv.conf may be a link to the agent's own file: replaced, never written through.
if [ -n "${HERMIT_ENGINE_DNS:-}" ]; then
  rm -f /etc/resolv.conf
  for r in $HERMIT_ENGINE_DNS; do echo "nameserver $r" >> /etc/resolv.conf; done
fi
# Allowlist mode: the agent's docker CLI configuration (its DOCKER_CONFIG, in the socket's volume)
# names hermit's proxy, so the CLI hands HTTP(S)_PROXY and NO_PROXY to every container it runs and
# build it starts. Written when missing or when it names another proxy (the old file is kept as
# config.json.old); otherwise left as it is, with whatever `docker login` added.
if [ -n "${HERMIT_DOCKER_CONFIG:-}" ]; then
  mkdir -p -m 0700 "$HERMIT_DOCKER_CONFIG"
  cfg="$HERMIT_DOCKER_CONFIG/config.json"
  if ! grep -qsF "\"httpsProxy\": \"$HTTPS_PROXY\"" "$cfg"; then
    if [ -e "$cfg" ] || [ -L "$cfg" ]; then mv -f "$cfg" "$cfg.old"; fi
    rm -f "$cfg.tmp"
    printf '{\n\t"proxies": {\n\t\t"default": {\n\t\t\t"httpProxy": "%s",\n\t\t\t"httpsProxy": "%s",\n\t\t\t"noProxy": "%s"\n\t\t}\n\t}\n}\n' \
      "$HTTP_PROXY" "$HTTPS_PROXY" "$NO_PROXY" > "$cfg.tmp"
    chmod 0600 "$cfg.tmp"
    mv -f "$cfg.tmp" "$cfg"
  fi
fi
exec /usr/sbin/dockerd "$@"
SH
chmod 0755 /usr/local/sbin/dockerd

# Strip every setuid/setgid bit, then give newuidmap/newgidmap theirs back.
find / -xdev -type f \( -perm -4000 -o -perm -2000 \) -exec chmod ug-s {} +
chmod u+s /usr/bin/newuidmap /usr/bin/newgidmap

# Not needed to run an engine: a smaller image.
rm -rf /usr/share/doc /usr/share/man /usr/share/locale /usr/share/info /var/cache/apt/* /var/lib/apt/lists/*
