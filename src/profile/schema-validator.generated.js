// Generated from schema/profile.schema.json by src/profile/schema-code.ts: do not edit.
// eslint-disable
const runtime_0 = { default: function ucs2length(str) {
    const len = str.length;
    let length = 0;
    let pos = 0;
    let value;
    while (pos < len) {
        length++;
        value = str.charCodeAt(pos++);
        if (value >= 0xd800 && value <= 0xdbff && pos < len) {
            // high surrogate, and there is a next character
            value = str.charCodeAt(pos);
            if ((value & 0xfc00) === 0xdc00)
                pos++; // low surrogate
        }
    }
    return length;
} };

export const validate = validate10;
export default validate10;
const schema11 = {"$schema":"http://json-schema.org/draft-07/schema#","$id":"urn:hermit:schema:profile:v1","title":"hermit profile","description":"One agent container on its own Docker bridge, with the firewall that isolates it and the probe that proves the isolation. Paths are relative to the profile file's directory. Every text value may use ${NAME}, ${NAME:-default} and ${NAME:?message} from hermit's environment ($$ for a literal $).","type":"object","additionalProperties":false,"required":["name","image","network","dns"],"properties":{"extends":{"description":"A profile this one is based on: a name (looked up like on the command line, skipping this file itself, so .hermit/claude-agent.yaml can extend the built-in claude-agent) or a path relative to this file. Maps merge key by key, lists and single values replace the parent's; egress.alsoAllow appends exceptions to the inherited egress.allow. Relative paths stay relative to the file that wrote them.","type":"string","minLength":1},"name":{"description":"Profile name: 1-18 characters of a-z, 0-9 and '-'. It becomes the iptables chains HERMIT-<name> and HERMIT-IN-<name> and the default network, bridge and container names.","type":"string","pattern":"^[a-z0-9][a-z0-9-]{0,17}$","errorMessage":"must be 1-18 characters of a-z, 0-9 and '-', starting with a letter or digit (it becomes the iptables chains HERMIT-<name> and HERMIT-IN-<name>)"},"image":{"description":"The container image, e.g. node:20-bookworm-slim. With build, the tag hermit builds the image as (a localhost/ name cannot be pulled from a registry by mistake).","type":"string","pattern":"^[^\\s-]\\S*$","errorMessage":"must be an image reference such as node:20-bookworm-slim (no spaces, not starting with '-')"},"build":{"description":"Build the image from a Dockerfile when it is missing (and on hermit update), so a fresh Docker host needs no registry for it. image is the tag it is built as. The build runs behind this profile's rules (its RUN steps reach only what the agent may reach), from the Dockerfile and context hermit read and you approved (hermit trust); ADD of a URL is refused.","type":"object","additionalProperties":false,"required":["context"],"properties":{"context":{"description":"The build context folder, relative to this profile file.","type":"string","minLength":1},"dockerfile":{"description":"The Dockerfile, relative to this profile file. Default: Dockerfile in the context.","type":"string","minLength":1}}},"command":{"description":"The command the container runs: a list of arguments, or one string split at spaces. Leave it out to use the image's own command.","type":["string","array"],"items":{"type":"string"},"default":[]},"network":{"description":"The Docker bridge network hermit creates for this profile. hermit always uses its own bridge; host or shared networking is not an option.","type":"object","additionalProperties":false,"required":["subnet"],"properties":{"name":{"description":"Docker network name. Default: hermit-<name>.","$ref":"#/definitions/dockerName"},"subnet":{"description":"IPv4 subnet of the bridge, host bits zero, e.g. 172.30.0.0/24. Pick one no other network or route on the host uses.","$ref":"#/definitions/ipv4Cidr"},"gateway":{"description":"The bridge's own address (the host, seen from the container). Default: the first address of the subnet.","$ref":"#/definitions/ipv4Address"},"bridge":{"description":"Linux interface name of the bridge, at most 15 characters. Default: hm-<name>, cut to 15 characters. The firewall rules match on it.","type":"string","pattern":"^(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,15}$","errorMessage":"must be a Linux interface name: 1-15 characters of A-Z, a-z, 0-9, '_', '.', '-' (and not '.' or '..')"},"mtu":{"description":"MTU of the bridge. Default: Docker's (1500).","type":"integer","minimum":576,"maximum":9000,"errorMessage":"must be a whole number from 576 to 9000"},"ipv6":{"description":"Give the container IPv6. Off by default: hermit then disables IPv6 inside the container, so IPv4-only rules cannot be bypassed.","type":"boolean","default":false},"subnet6":{"description":"IPv6 subnet of the bridge, e.g. fd00:1234::/64. Required when ipv6 is true.","$ref":"#/definitions/ipv6Cidr"}}},"dns":{"description":"Resolvers the container uses, as IP addresses. hermit allows port 53 to these and nothing else.","type":"array","minItems":1,"items":{"$ref":"#/definitions/ipAddress"}},"egress":{"description":"What the container may reach. By default everything outside the blocked ranges is reachable; with domains, only the listed names, through a proxy.","type":"object","additionalProperties":false,"properties":{"block":{"description":"Extra IPv4 ranges to block, on top of the built-in ones that are always blocked: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (private), 100.64.0.0/10 (CGNAT, Tailscale), 169.254.0.0/16 (link-local, cloud metadata), 224.0.0.0/4 (multicast), 240.0.0.0/4 (reserved).","type":"array","items":{"$ref":"#/definitions/ipv4Cidr"},"default":[]},"block6":{"description":"Extra IPv6 ranges to block when ipv6 is on, on top of the built-in ones: fc00::/7 (ULA), fe80::/10 (link-local), ff00::/8 (multicast), 64:ff9b::/96 (NAT64), ::ffff:0:0/96 (IPv4-mapped).","type":"array","items":{"$ref":"#/definitions/ipv6Cidr"},"default":[]},"allow":{"description":"Exceptions: destinations inside a blocked range the container may reach anyway. With extends, this list replaces the parent's; use alsoAllow to add to it.","type":"array","default":[],"items":{"$ref":"#/definitions/egressException"}},"alsoAllow":{"description":"Exceptions appended to egress.allow, including the one inherited through extends (allow replaces the parent's list; alsoAllow adds to it).","type":"array","default":[],"items":{"$ref":"#/definitions/egressException"}},"domains":{"description":"Allowlist mode: the container reaches the internet only through an HTTP proxy (Squid) that hermit runs beside it, and only these names. 'name' is that name only, '.name' the name and every subdomain. Without ports an entry allows HTTPS (CONNECT to 443) and plain HTTP (port 80); 'name:22' or 'name:22,443' allows CONNECT and HTTP to exactly those ports (22: git over SSH with a CONNECT-capable nc as ProxyCommand). Leave the key out for the default mode, where the whole internet is reachable.","type":"array","minItems":1,"items":{"type":"string","minLength":1,"examples":["api.anthropic.com",".example.org","git.example.org:22"]}},"proxyImage":{"description":"Allowlist mode: the proxy's image, which must be Debian's squid (squid or squid-openssl package; the proxy runs as Debian's proxy user, uid 13). Default: localhost/hermit/squid:latest, built from profiles/squid/Dockerfile on first use.","type":"string","minLength":1},"caFile":{"description":"Extra CA certificates (PEM) the proxy trusts, besides the system's, when it connects to a credential's host over TLS: a company's TLS-inspection root, a private service's CA. Relative to the profile file.","type":"string","minLength":1}}},"credentials":{"description":"Keys the agent never holds: hermit's proxy adds each one to the requests the agent sends to the service's base URL (plain HTTP to the proxy, on the agent's own network), removing whatever the agent put in that header, and forwards them over TLS to the real host, verifying its certificate. The agent gets only the base URL (baseUrlEnv). In allowlist mode a credential's host counts as listed.","type":"array","items":{"$ref":"#/definitions/credential"}},"hostPorts":{"description":"Ports on the host itself (reached through the bridge gateway or any host address) the container may connect to, e.g. a local model server. Default: none.","type":"array","default":[],"items":{"type":"object","additionalProperties":false,"required":["port"],"properties":{"port":{"description":"The port on the host.","$ref":"#/definitions/port"},"protocol":{"description":"tcp or udp.","type":"string","enum":["tcp","udp"],"default":"tcp"},"comment":{"description":"What listens there; shown in the firewall rules.","$ref":"#/definitions/comment"}}}},"docker":{"description":"A Docker engine for the agent, inside its cage: a rootless dockerd (uid 1000, in a user namespace) started beside the agent in the agent's network namespace, so every container, build and pull of it leaves through the agent's own firewall rules. The agent gets DOCKER_HOST=unix:///run/hermit-docker/docker.sock; the engine's images and containers live in the volume hermit-<name>-docker. true: hermit's engine image, localhost/hermit/engine:<hermit version>, built from profiles/engine/Dockerfile on first use. Default: false.","default":false,"type":["boolean","object"],"additionalProperties":false,"properties":{"image":{"description":"The engine's image, which must be made like profiles/engine (Debian's docker.io, rootlesskit, slirp4netns and uidmap; user 1000 with a subordinate id range; prepare.sh). Default: localhost/hermit/engine:<hermit version>, built from profiles/engine/Dockerfile on first use.","type":"string","minLength":1}}},"container":{"description":"How the container runs.","type":"object","additionalProperties":false,"properties":{"name":{"description":"Docker container name. Default: hermit-<name>.","$ref":"#/definitions/dockerName"},"user":{"description":"uid[:gid] or a user name. Default 1000:1000; root only when written here on purpose.","type":"string","pattern":"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$","errorMessage":"must be uid[:gid] or a user name such as 1000:1000","default":"1000:1000"},"env":{"description":"Environment variables with literal values. They reach docker through its environment, never its command line, and hermit profiles show prints values whose names look secret as <redacted>. The only place ${NAME} may name a secret-looking variable.","type":"object","propertyNames":{"$ref":"#/definitions/envName"},"additionalProperties":{"$ref":"#/definitions/scalar"},"default":{}},"passEnv":{"description":"Names of variables copied from hermit's own environment, e.g. ANTHROPIC_API_KEY.","type":"array","items":{"$ref":"#/definitions/envName"},"default":[]},"envFile":{"description":"A file of NAME=value lines the container gets (docker's env-file format: values literal, # comments). hermit reads it itself, as root, never through a link; a line with only a NAME is refused (use passEnv). Its values are approved as digests, reach docker by name only, and never appear on a command line. Relative to the profile's directory; ~ is expanded.","type":"string","minLength":1},"mounts":{"description":"Bind mounts and volumes in docker -v syntax, host:container[:options]. Relative host paths are relative to the profile file that wrote them; ~ is the home of the user running hermit (under sudo, the invoking user's). The Docker socket is refused.","type":"array","items":{"type":"string","minLength":1},"default":[]},"sensitiveMounts":{"description":"Host paths that hand over the host or its credentials (/, /etc, /root, /boot, /dev, /proc, /sys, hermit's and the engine's state, ~/.ssh, ~/.aws, ~/.gnupg, ~/.docker, ~/.kube, ~/.config/gh, a whole home, ...) and that you mean to mount anyway: each must be the host side of one of mounts, written the same way. Without it such a mount is refused. Every entry counts as a widening that hermit trust must approve.","type":"array","items":{"type":"string","minLength":1},"default":[]},"workdir":{"description":"Working directory inside the container, e.g. /workspace.","type":"string","minLength":1},"restart":{"description":"Docker restart policy. With anything but 'no', Docker restarts the container at boot, before hermit runs: keep the firewall persistent too.","type":"string","enum":["no","on-failure","unless-stopped","always"],"default":"no"},"sysctls":{"description":"Namespaced kernel settings (docker --sysctl), e.g. net.ipv4.tcp_keepalive_time: \"60\". Settings hermit relies on (disable_ipv6, forwarding) are refused.","type":"object","propertyNames":{"type":"string","pattern":"^[a-z0-9_]+([./][a-zA-Z0-9_-]+)+$","errorMessage":"must be a sysctl name such as net.ipv4.tcp_keepalive_time"},"additionalProperties":{"$ref":"#/definitions/scalar"},"default":{}},"readOnly":{"description":"Mount the container's root filesystem read-only.","type":"boolean","default":false},"publish":{"description":"Published ports in docker -p syntax. Without an address hermit binds 127.0.0.1; write 0.0.0.0:8080:8080 to expose a port to the LAN on purpose.","type":"array","items":{"type":"string","pattern":"^((\\[[0-9A-Fa-f:.]+\\]|[0-9.]+):)?(([0-9]+(-[0-9]+)?)?:)?[0-9]+(-[0-9]+)?(/(tcp|udp|sctp))?$","errorMessage":"must be [address:][hostPort:]containerPort[/protocol] such as 127.0.0.1:8080:8080"},"default":[]},"capAdd":{"description":"Capabilities given back (hermit drops all). NET_ADMIN, NET_RAW, SYS_ADMIN, ALL and others that undo the isolation are refused.","type":"array","items":{"type":"string","pattern":"^[A-Za-z_]+$","errorMessage":"must be a capability name such as CHOWN"},"default":[]},"tmpfs":{"description":"tmpfs mounts (docker --tmpfs), path[:options], e.g. /tmp:size=64m.","type":"array","items":{"type":"string","pattern":"^/","errorMessage":"must be an absolute path inside the container, optionally with options: /tmp:size=64m"},"default":[]},"dockerArgs":{"description":"Extra docker run options, one argument per item (\"--memory=2g\" or \"--memory\", \"2g\"). Options that undo the isolation are refused.","type":"array","items":{"type":"string"},"default":[]},"healthcheck":{"description":"How Docker checks the container is healthy (docker run --health-*); docker ps and hermit status show the result. The command runs inside the container, behind its firewall.","type":"object","additionalProperties":false,"required":["command"],"properties":{"command":{"description":"The check: a list of arguments, or one shell command line (run with /bin/sh -c). Exit 0 means healthy.","type":["string","array"],"items":{"type":"string"},"minLength":1,"minItems":1},"interval":{"description":"Time between checks, e.g. 60s. Default: Docker's (30s).","$ref":"#/definitions/duration"},"timeout":{"description":"How long one check may take, e.g. 10s. Default: Docker's (30s).","$ref":"#/definitions/duration"},"startPeriod":{"description":"Grace time after start in which failures do not count, e.g. 30s. Default: 0s.","$ref":"#/definitions/duration"},"retries":{"description":"Failures in a row before the container is unhealthy. Default: Docker's (3).","type":"integer","minimum":1,"maximum":100,"errorMessage":"must be a whole number from 1 to 100"}}}}},"probe":{"description":"The check hermit runs from inside the container after starting it. It always tests the blocked ranges, the host, and DNS; add your own targets here.","type":"object","additionalProperties":false,"properties":{"mustReach":{"description":"Destinations a TCP connection must succeed to.","type":"array","items":{"$ref":"#/definitions/probeTarget"},"default":[]},"mustBlock":{"description":"Destinations a TCP connection must be refused by the firewall.","type":"array","items":{"$ref":"#/definitions/probeTarget"},"default":[]},"dnsName":{"description":"The name every resolver must answer for. Default: the first mustReach host that is a name, else example.com.","$ref":"#/definitions/hostName"},"timeoutMs":{"description":"Per-connection timeout in milliseconds.","type":"integer","minimum":100,"maximum":60000,"errorMessage":"must be a whole number of milliseconds from 100 to 60000","default":3000},"onFailure":{"description":"What to do on a breach (something that must be blocked, or IPv6, was reachable) or when the probe cannot run: stop the container (exit 5), or only warn (exit 5, the container keeps running).","type":"string","enum":["stop","warn"],"default":"stop"},"onOutage":{"description":"What to do on an outage: nothing that must be blocked was reachable, but a mustReach target, an exception or a resolver did not answer, even after retrying for outageRetrySec (a resolver or router restarting, the internet down). warn: report it and keep the container running (exit 6); stop: stop the container like a breach (exit 5).","type":"string","enum":["warn","stop"],"default":"warn"},"outageRetrySec":{"description":"How long an outage is probed again before it counts, in seconds: attempts 1, 2, 4, then every 8 s apart. 0: no retry. A breach is never retried.","type":"integer","minimum":0,"maximum":600,"errorMessage":"must be a whole number of seconds from 0 to 600","default":20}}}},"definitions":{"credential":{"type":"object","additionalProperties":false,"required":["host","header","baseUrlEnv"],"properties":{"host":{"description":"The service's host name, reached over HTTPS (port 443 unless written host:port).","type":"string","minLength":1,"examples":["api.anthropic.com"]},"header":{"description":"The request header the proxy sets: x-api-key, or Authorization (with value: \"Bearer ${TOKEN}\").","type":"string","pattern":"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$","errorMessage":"must be an HTTP header name such as x-api-key or Authorization","examples":["x-api-key","Authorization"]},"value":{"description":"The header's value, naming variables of hermit's own environment as ${NAME}; read when hermit runs, never stored. Give this or valueFile.","type":"string","minLength":1,"examples":["${ANTHROPIC_API_KEY}","Bearer ${CLAUDE_CODE_OAUTH_TOKEN}"]},"valueFile":{"description":"A file owned by root that only root can read, holding the header's whole value (one line). Give this or value.","type":"string","minLength":1},"baseUrlEnv":{"description":"The environment variable the agent gets holding the service's base URL at the proxy, such as ANTHROPIC_BASE_URL.","type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","errorMessage":"must be an environment variable name such as ANTHROPIC_BASE_URL"}}},"dockerName":{"type":"string","pattern":"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$","errorMessage":"must be at least 2 characters of letters, digits, '_', '.', '-', starting with a letter or digit (Docker's rule for names)"},"ipv4Address":{"type":"string","pattern":"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$","errorMessage":"must be an IPv4 address such as 172.30.0.1"},"ipv4Cidr":{"type":"string","pattern":"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$","errorMessage":"must be a valid IPv4 CIDR such as 172.30.0.0/24"},"ipv6Cidr":{"type":"string","pattern":"^[0-9A-Fa-f:.]+/[0-9]{1,3}$","errorMessage":"must be a valid IPv6 CIDR such as fd00:1234::/64"},"ipAddress":{"type":"string","pattern":"^[0-9A-Fa-f:.]+$","errorMessage":"must be an IP address such as 1.1.1.1"},"ipOrCidr":{"type":"string","pattern":"^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$","errorMessage":"must be an IP address or CIDR such as 192.168.1.20 or 192.168.1.0/24"},"hostName":{"type":"string","pattern":"^[A-Za-z0-9_:.-]{1,253}$","errorMessage":"must be an IP address or a DNS name such as api.anthropic.com"},"port":{"type":"integer","minimum":1,"maximum":65535,"errorMessage":"must be a port number from 1 to 65535"},"comment":{"type":"string","pattern":"^[ !#-&(-\\[\\]-~]{0,200}$","errorMessage":"must be at most 200 printable ASCII characters without quotes or backslashes (it goes into an iptables comment)"},"envName":{"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","errorMessage":"must be an environment variable name such as ANTHROPIC_API_KEY"},"scalar":{"type":["string","number","boolean"],"errorMessage":"must be a single value (text, number or true/false)"},"probeTarget":{"type":"object","additionalProperties":false,"required":["host","port"],"properties":{"host":{"description":"An IP address, or a DNS name resolved inside the container.","$ref":"#/definitions/hostName"},"port":{"description":"TCP port.","$ref":"#/definitions/port"},"comment":{"description":"Shown in the probe report.","$ref":"#/definitions/comment"}}},"egressException":{"type":"object","additionalProperties":false,"required":["to"],"properties":{"to":{"description":"An IPv4/IPv6 address or CIDR inside a blocked range, e.g. 192.168.1.20.","$ref":"#/definitions/ipOrCidr"},"ports":{"description":"Destination ports. Leave it out to allow every port.","type":"array","items":{"$ref":"#/definitions/port"},"default":[]},"protocol":{"description":"tcp, udp, or any (both, and with no ports every protocol).","type":"string","enum":["tcp","udp","any"],"default":"tcp"},"comment":{"description":"Why the exception exists; shown in the firewall rules.","$ref":"#/definitions/comment"}}},"duration":{"type":"string","pattern":"^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$","errorMessage":"must be a duration such as 30s, 1m30s or 500ms"}}};
const schema12 = {"type":"string","pattern":"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$","errorMessage":"must be at least 2 characters of letters, digits, '_', '.', '-', starting with a letter or digit (Docker's rule for names)"};
const schema13 = {"type":"string","pattern":"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$","errorMessage":"must be a valid IPv4 CIDR such as 172.30.0.0/24"};
const schema14 = {"type":"string","pattern":"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$","errorMessage":"must be an IPv4 address such as 172.30.0.1"};
const schema15 = {"type":"string","pattern":"^[0-9A-Fa-f:.]+/[0-9]{1,3}$","errorMessage":"must be a valid IPv6 CIDR such as fd00:1234::/64"};
const schema16 = {"type":"string","pattern":"^[0-9A-Fa-f:.]+$","errorMessage":"must be an IP address such as 1.1.1.1"};
const schema23 = {"type":"object","additionalProperties":false,"required":["host","header","baseUrlEnv"],"properties":{"host":{"description":"The service's host name, reached over HTTPS (port 443 unless written host:port).","type":"string","minLength":1,"examples":["api.anthropic.com"]},"header":{"description":"The request header the proxy sets: x-api-key, or Authorization (with value: \"Bearer ${TOKEN}\").","type":"string","pattern":"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$","errorMessage":"must be an HTTP header name such as x-api-key or Authorization","examples":["x-api-key","Authorization"]},"value":{"description":"The header's value, naming variables of hermit's own environment as ${NAME}; read when hermit runs, never stored. Give this or valueFile.","type":"string","minLength":1,"examples":["${ANTHROPIC_API_KEY}","Bearer ${CLAUDE_CODE_OAUTH_TOKEN}"]},"valueFile":{"description":"A file owned by root that only root can read, holding the header's whole value (one line). Give this or value.","type":"string","minLength":1},"baseUrlEnv":{"description":"The environment variable the agent gets holding the service's base URL at the proxy, such as ANTHROPIC_BASE_URL.","type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","errorMessage":"must be an environment variable name such as ANTHROPIC_BASE_URL"}}};
const schema21 = {"type":"integer","minimum":1,"maximum":65535,"errorMessage":"must be a port number from 1 to 65535"};
const schema22 = {"type":"string","pattern":"^[ !#-&(-\\[\\]-~]{0,200}$","errorMessage":"must be at most 200 printable ASCII characters without quotes or backslashes (it goes into an iptables comment)"};
const schema27 = {"type":"string","pattern":"^[A-Za-z_][A-Za-z0-9_]*$","errorMessage":"must be an environment variable name such as ANTHROPIC_API_KEY"};
const schema28 = {"type":["string","number","boolean"],"errorMessage":"must be a single value (text, number or true/false)"};
const schema31 = {"type":"string","pattern":"^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$","errorMessage":"must be a duration such as 30s, 1m30s or 500ms"};
const schema35 = {"type":"string","pattern":"^[A-Za-z0-9_:.-]{1,253}$","errorMessage":"must be an IP address or a DNS name such as api.anthropic.com"};
const func2 = Object.prototype.hasOwnProperty;
const func3 = runtime_0.default;
const pattern0 = new RegExp("^[a-z0-9][a-z0-9-]{0,17}$", "u");
const pattern1 = new RegExp("^[^\\s-]\\S*$", "u");
const pattern2 = new RegExp("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$", "u");
const pattern3 = new RegExp("^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$", "u");
const pattern4 = new RegExp("^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$", "u");
const pattern5 = new RegExp("^(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,15}$", "u");
const pattern6 = new RegExp("^[0-9A-Fa-f:.]+/[0-9]{1,3}$", "u");
const pattern7 = new RegExp("^[0-9A-Fa-f:.]+$", "u");
const pattern12 = new RegExp("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", "u");
const pattern13 = new RegExp("^[A-Za-z_][A-Za-z0-9_]*$", "u");
const pattern11 = new RegExp("^[ !#-&(-\\[\\]-~]{0,200}$", "u");
const pattern16 = new RegExp("^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$", "u");
const pattern19 = new RegExp("^[a-z0-9_]+([./][a-zA-Z0-9_-]+)+$", "u");
const pattern20 = new RegExp("^((\\[[0-9A-Fa-f:.]+\\]|[0-9.]+):)?(([0-9]+(-[0-9]+)?)?:)?[0-9]+(-[0-9]+)?(/(tcp|udp|sctp))?$", "u");
const pattern21 = new RegExp("^[A-Za-z_]+$", "u");
const pattern22 = new RegExp("^/", "u");
const pattern23 = new RegExp("^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$", "u");
const pattern26 = new RegExp("^[A-Za-z0-9_:.-]{1,253}$", "u");
const schema19 = {"type":"object","additionalProperties":false,"required":["to"],"properties":{"to":{"description":"An IPv4/IPv6 address or CIDR inside a blocked range, e.g. 192.168.1.20.","$ref":"#/definitions/ipOrCidr"},"ports":{"description":"Destination ports. Leave it out to allow every port.","type":"array","items":{"$ref":"#/definitions/port"},"default":[]},"protocol":{"description":"tcp, udp, or any (both, and with no ports every protocol).","type":"string","enum":["tcp","udp","any"],"default":"tcp"},"comment":{"description":"Why the exception exists; shown in the firewall rules.","$ref":"#/definitions/comment"}}};
const schema20 = {"type":"string","pattern":"^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$","errorMessage":"must be an IP address or CIDR such as 192.168.1.20 or 192.168.1.0/24"};
const pattern10 = new RegExp("^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$", "u");

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.to === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "to"},message:"must have required property '"+"to"+"'",schema:schema19.required,parentSchema:schema19,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!((((key0 === "to") || (key0 === "ports")) || (key0 === "protocol")) || (key0 === "comment"))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema19,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.to !== undefined){
let data0 = data.to;
if(typeof data0 === "string"){
if(!pattern10.test(data0)){
const err2 = {instancePath:instancePath+"/to",schemaPath:"#/definitions/ipOrCidr/pattern",keyword:"pattern",params:{pattern: "^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$"},message:"must match pattern \""+"^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$"+"\"",schema:"^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$",parentSchema:schema20,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
else {
const err3 = {instancePath:instancePath+"/to",schemaPath:"#/definitions/ipOrCidr/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema20.type,parentSchema:schema20,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.ports !== undefined){
let data1 = data.ports;
if(Array.isArray(data1)){
const len0 = data1.length;
for(let i0=0; i0<len0; i0++){
let data2 = data1[i0];
if(!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))){
const err4 = {instancePath:instancePath+"/ports/" + i0,schemaPath:"#/definitions/port/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema21.type,parentSchema:schema21,data:data2};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if((typeof data2 == "number") && (isFinite(data2))){
if(data2 > 65535 || isNaN(data2)){
const err5 = {instancePath:instancePath+"/ports/" + i0,schemaPath:"#/definitions/port/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema21,data:data2};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if(data2 < 1 || isNaN(data2)){
const err6 = {instancePath:instancePath+"/ports/" + i0,schemaPath:"#/definitions/port/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema21,data:data2};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
}
}
else {
const err7 = {instancePath:instancePath+"/ports",schemaPath:"#/properties/ports/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema19.properties.ports.type,parentSchema:schema19.properties.ports,data:data1};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(data.protocol !== undefined){
let data3 = data.protocol;
if(typeof data3 !== "string"){
const err8 = {instancePath:instancePath+"/protocol",schemaPath:"#/properties/protocol/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema19.properties.protocol.type,parentSchema:schema19.properties.protocol,data:data3};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
if(!(((data3 === "tcp") || (data3 === "udp")) || (data3 === "any"))){
const err9 = {instancePath:instancePath+"/protocol",schemaPath:"#/properties/protocol/enum",keyword:"enum",params:{allowedValues: schema19.properties.protocol.enum},message:"must be equal to one of the allowed values",schema:schema19.properties.protocol.enum,parentSchema:schema19.properties.protocol,data:data3};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.comment !== undefined){
let data4 = data.comment;
if(typeof data4 === "string"){
if(!pattern11.test(data4)){
const err10 = {instancePath:instancePath+"/comment",schemaPath:"#/definitions/comment/pattern",keyword:"pattern",params:{pattern: "^[ !#-&(-\\[\\]-~]{0,200}$"},message:"must match pattern \""+"^[ !#-&(-\\[\\]-~]{0,200}$"+"\"",schema:"^[ !#-&(-\\[\\]-~]{0,200}$",parentSchema:schema22,data:data4};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
else {
const err11 = {instancePath:instancePath+"/comment",schemaPath:"#/definitions/comment/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.type,parentSchema:schema22,data:data4};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
}
else {
const err12 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema19.type,parentSchema:schema19,data};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
validate11.errors = vErrors;
return errors === 0;
}

const schema34 = {"type":"object","additionalProperties":false,"required":["host","port"],"properties":{"host":{"description":"An IP address, or a DNS name resolved inside the container.","$ref":"#/definitions/hostName"},"port":{"description":"TCP port.","$ref":"#/definitions/port"},"comment":{"description":"Shown in the probe report.","$ref":"#/definitions/comment"}}};

function validate14(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.host === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "host"},message:"must have required property '"+"host"+"'",schema:schema34.required,parentSchema:schema34,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.port === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "port"},message:"must have required property '"+"port"+"'",schema:schema34.required,parentSchema:schema34,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!(((key0 === "host") || (key0 === "port")) || (key0 === "comment"))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema34,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.host !== undefined){
let data0 = data.host;
if(typeof data0 === "string"){
if(!pattern26.test(data0)){
const err3 = {instancePath:instancePath+"/host",schemaPath:"#/definitions/hostName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_:.-]{1,253}$"},message:"must match pattern \""+"^[A-Za-z0-9_:.-]{1,253}$"+"\"",schema:"^[A-Za-z0-9_:.-]{1,253}$",parentSchema:schema35,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
else {
const err4 = {instancePath:instancePath+"/host",schemaPath:"#/definitions/hostName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema35.type,parentSchema:schema35,data:data0};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.port !== undefined){
let data1 = data.port;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
const err5 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/port/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema21.type,parentSchema:schema21,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 > 65535 || isNaN(data1)){
const err6 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/port/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema21,data:data1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(data1 < 1 || isNaN(data1)){
const err7 = {instancePath:instancePath+"/port",schemaPath:"#/definitions/port/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema21,data:data1};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
if(data.comment !== undefined){
let data2 = data.comment;
if(typeof data2 === "string"){
if(!pattern11.test(data2)){
const err8 = {instancePath:instancePath+"/comment",schemaPath:"#/definitions/comment/pattern",keyword:"pattern",params:{pattern: "^[ !#-&(-\\[\\]-~]{0,200}$"},message:"must match pattern \""+"^[ !#-&(-\\[\\]-~]{0,200}$"+"\"",schema:"^[ !#-&(-\\[\\]-~]{0,200}$",parentSchema:schema22,data:data2};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
else {
const err9 = {instancePath:instancePath+"/comment",schemaPath:"#/definitions/comment/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.type,parentSchema:schema22,data:data2};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
}
else {
const err10 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema34.type,parentSchema:schema34,data};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
validate14.errors = vErrors;
return errors === 0;
}


function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="urn:hermit:schema:profile:v1" */;
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.name === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.image === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "image"},message:"must have required property '"+"image"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.network === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "network"},message:"must have required property '"+"network"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.dns === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "dns"},message:"must have required property '"+"dns"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema11.properties, key0))){
const err4 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.extends !== undefined){
let data0 = data.extends;
if(typeof data0 === "string"){
if(func3(data0) < 1){
const err5 = {instancePath:instancePath+"/extends",schemaPath:"#/properties/extends/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.extends,data:data0};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
else {
const err6 = {instancePath:instancePath+"/extends",schemaPath:"#/properties/extends/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.extends.type,parentSchema:schema11.properties.extends,data:data0};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.name !== undefined){
let data1 = data.name;
if(typeof data1 === "string"){
if(!pattern0.test(data1)){
const err7 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/pattern",keyword:"pattern",params:{pattern: "^[a-z0-9][a-z0-9-]{0,17}$"},message:"must match pattern \""+"^[a-z0-9][a-z0-9-]{0,17}$"+"\"",schema:"^[a-z0-9][a-z0-9-]{0,17}$",parentSchema:schema11.properties.name,data:data1};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
else {
const err8 = {instancePath:instancePath+"/name",schemaPath:"#/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.name.type,parentSchema:schema11.properties.name,data:data1};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.image !== undefined){
let data2 = data.image;
if(typeof data2 === "string"){
if(!pattern1.test(data2)){
const err9 = {instancePath:instancePath+"/image",schemaPath:"#/properties/image/pattern",keyword:"pattern",params:{pattern: "^[^\\s-]\\S*$"},message:"must match pattern \""+"^[^\\s-]\\S*$"+"\"",schema:"^[^\\s-]\\S*$",parentSchema:schema11.properties.image,data:data2};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
else {
const err10 = {instancePath:instancePath+"/image",schemaPath:"#/properties/image/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.image.type,parentSchema:schema11.properties.image,data:data2};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data.build !== undefined){
let data3 = data.build;
if(data3 && typeof data3 == "object" && !Array.isArray(data3)){
if(data3.context === undefined){
const err11 = {instancePath:instancePath+"/build",schemaPath:"#/properties/build/required",keyword:"required",params:{missingProperty: "context"},message:"must have required property '"+"context"+"'",schema:schema11.properties.build.required,parentSchema:schema11.properties.build,data:data3};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
for(const key1 in data3){
if(!((key1 === "context") || (key1 === "dockerfile"))){
const err12 = {instancePath:instancePath+"/build",schemaPath:"#/properties/build/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.build,data:data3};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(data3.context !== undefined){
let data4 = data3.context;
if(typeof data4 === "string"){
if(func3(data4) < 1){
const err13 = {instancePath:instancePath+"/build/context",schemaPath:"#/properties/build/properties/context/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.build.properties.context,data:data4};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
else {
const err14 = {instancePath:instancePath+"/build/context",schemaPath:"#/properties/build/properties/context/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.build.properties.context.type,parentSchema:schema11.properties.build.properties.context,data:data4};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
if(data3.dockerfile !== undefined){
let data5 = data3.dockerfile;
if(typeof data5 === "string"){
if(func3(data5) < 1){
const err15 = {instancePath:instancePath+"/build/dockerfile",schemaPath:"#/properties/build/properties/dockerfile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.build.properties.dockerfile,data:data5};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
else {
const err16 = {instancePath:instancePath+"/build/dockerfile",schemaPath:"#/properties/build/properties/dockerfile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.build.properties.dockerfile.type,parentSchema:schema11.properties.build.properties.dockerfile,data:data5};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
}
else {
const err17 = {instancePath:instancePath+"/build",schemaPath:"#/properties/build/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.build.type,parentSchema:schema11.properties.build,data:data3};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
if(data.command !== undefined){
let data6 = data.command;
if((typeof data6 !== "string") && (!(Array.isArray(data6)))){
const err18 = {instancePath:instancePath+"/command",schemaPath:"#/properties/command/type",keyword:"type",params:{type: schema11.properties.command.type},message:"must be string,array",schema:schema11.properties.command.type,parentSchema:schema11.properties.command,data:data6};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
if(Array.isArray(data6)){
const len0 = data6.length;
for(let i0=0; i0<len0; i0++){
let data7 = data6[i0];
if(typeof data7 !== "string"){
const err19 = {instancePath:instancePath+"/command/" + i0,schemaPath:"#/properties/command/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.command.items.type,parentSchema:schema11.properties.command.items,data:data7};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
}
}
if(data.network !== undefined){
let data8 = data.network;
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
if(data8.subnet === undefined){
const err20 = {instancePath:instancePath+"/network",schemaPath:"#/properties/network/required",keyword:"required",params:{missingProperty: "subnet"},message:"must have required property '"+"subnet"+"'",schema:schema11.properties.network.required,parentSchema:schema11.properties.network,data:data8};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
for(const key2 in data8){
if(!(((((((key2 === "name") || (key2 === "subnet")) || (key2 === "gateway")) || (key2 === "bridge")) || (key2 === "mtu")) || (key2 === "ipv6")) || (key2 === "subnet6"))){
const err21 = {instancePath:instancePath+"/network",schemaPath:"#/properties/network/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.network,data:data8};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(data8.name !== undefined){
let data9 = data8.name;
if(typeof data9 === "string"){
if(!pattern2.test(data9)){
const err22 = {instancePath:instancePath+"/network/name",schemaPath:"#/definitions/dockerName/pattern",keyword:"pattern",params:{pattern: "^[a-zA-Z0-9][a-zA-Z0-9_.-]+$"},message:"must match pattern \""+"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$"+"\"",schema:"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$",parentSchema:schema12,data:data9};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
else {
const err23 = {instancePath:instancePath+"/network/name",schemaPath:"#/definitions/dockerName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema12.type,parentSchema:schema12,data:data9};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
if(data8.subnet !== undefined){
let data10 = data8.subnet;
if(typeof data10 === "string"){
if(!pattern3.test(data10)){
const err24 = {instancePath:instancePath+"/network/subnet",schemaPath:"#/definitions/ipv4Cidr/pattern",keyword:"pattern",params:{pattern: "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$"},message:"must match pattern \""+"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$"+"\"",schema:"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$",parentSchema:schema13,data:data10};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
else {
const err25 = {instancePath:instancePath+"/network/subnet",schemaPath:"#/definitions/ipv4Cidr/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data10};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
if(data8.gateway !== undefined){
let data11 = data8.gateway;
if(typeof data11 === "string"){
if(!pattern4.test(data11)){
const err26 = {instancePath:instancePath+"/network/gateway",schemaPath:"#/definitions/ipv4Address/pattern",keyword:"pattern",params:{pattern: "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$"},message:"must match pattern \""+"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$"+"\"",schema:"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$",parentSchema:schema14,data:data11};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
else {
const err27 = {instancePath:instancePath+"/network/gateway",schemaPath:"#/definitions/ipv4Address/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema14.type,parentSchema:schema14,data:data11};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
if(data8.bridge !== undefined){
let data12 = data8.bridge;
if(typeof data12 === "string"){
if(!pattern5.test(data12)){
const err28 = {instancePath:instancePath+"/network/bridge",schemaPath:"#/properties/network/properties/bridge/pattern",keyword:"pattern",params:{pattern: "^(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,15}$"},message:"must match pattern \""+"^(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,15}$"+"\"",schema:"^(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,15}$",parentSchema:schema11.properties.network.properties.bridge,data:data12};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
else {
const err29 = {instancePath:instancePath+"/network/bridge",schemaPath:"#/properties/network/properties/bridge/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.network.properties.bridge.type,parentSchema:schema11.properties.network.properties.bridge,data:data12};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(data8.mtu !== undefined){
let data13 = data8.mtu;
if(!(((typeof data13 == "number") && (!(data13 % 1) && !isNaN(data13))) && (isFinite(data13)))){
const err30 = {instancePath:instancePath+"/network/mtu",schemaPath:"#/properties/network/properties/mtu/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.network.properties.mtu.type,parentSchema:schema11.properties.network.properties.mtu,data:data13};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
if((typeof data13 == "number") && (isFinite(data13))){
if(data13 > 9000 || isNaN(data13)){
const err31 = {instancePath:instancePath+"/network/mtu",schemaPath:"#/properties/network/properties/mtu/maximum",keyword:"maximum",params:{comparison: "<=", limit: 9000},message:"must be <= 9000",schema:9000,parentSchema:schema11.properties.network.properties.mtu,data:data13};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
if(data13 < 576 || isNaN(data13)){
const err32 = {instancePath:instancePath+"/network/mtu",schemaPath:"#/properties/network/properties/mtu/minimum",keyword:"minimum",params:{comparison: ">=", limit: 576},message:"must be >= 576",schema:576,parentSchema:schema11.properties.network.properties.mtu,data:data13};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
}
if(data8.ipv6 !== undefined){
let data14 = data8.ipv6;
if(typeof data14 !== "boolean"){
const err33 = {instancePath:instancePath+"/network/ipv6",schemaPath:"#/properties/network/properties/ipv6/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.network.properties.ipv6.type,parentSchema:schema11.properties.network.properties.ipv6,data:data14};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
if(data8.subnet6 !== undefined){
let data15 = data8.subnet6;
if(typeof data15 === "string"){
if(!pattern6.test(data15)){
const err34 = {instancePath:instancePath+"/network/subnet6",schemaPath:"#/definitions/ipv6Cidr/pattern",keyword:"pattern",params:{pattern: "^[0-9A-Fa-f:.]+/[0-9]{1,3}$"},message:"must match pattern \""+"^[0-9A-Fa-f:.]+/[0-9]{1,3}$"+"\"",schema:"^[0-9A-Fa-f:.]+/[0-9]{1,3}$",parentSchema:schema15,data:data15};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
else {
const err35 = {instancePath:instancePath+"/network/subnet6",schemaPath:"#/definitions/ipv6Cidr/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data15};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
}
else {
const err36 = {instancePath:instancePath+"/network",schemaPath:"#/properties/network/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.network.type,parentSchema:schema11.properties.network,data:data8};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
if(data.dns !== undefined){
let data16 = data.dns;
if(Array.isArray(data16)){
if(data16.length < 1){
const err37 = {instancePath:instancePath+"/dns",schemaPath:"#/properties/dns/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.dns,data:data16};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
const len1 = data16.length;
for(let i1=0; i1<len1; i1++){
let data17 = data16[i1];
if(typeof data17 === "string"){
if(!pattern7.test(data17)){
const err38 = {instancePath:instancePath+"/dns/" + i1,schemaPath:"#/definitions/ipAddress/pattern",keyword:"pattern",params:{pattern: "^[0-9A-Fa-f:.]+$"},message:"must match pattern \""+"^[0-9A-Fa-f:.]+$"+"\"",schema:"^[0-9A-Fa-f:.]+$",parentSchema:schema16,data:data17};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
else {
const err39 = {instancePath:instancePath+"/dns/" + i1,schemaPath:"#/definitions/ipAddress/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema16.type,parentSchema:schema16,data:data17};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
}
else {
const err40 = {instancePath:instancePath+"/dns",schemaPath:"#/properties/dns/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.dns.type,parentSchema:schema11.properties.dns,data:data16};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
if(data.egress !== undefined){
let data18 = data.egress;
if(data18 && typeof data18 == "object" && !Array.isArray(data18)){
for(const key3 in data18){
if(!(((((((key3 === "block") || (key3 === "block6")) || (key3 === "allow")) || (key3 === "alsoAllow")) || (key3 === "domains")) || (key3 === "proxyImage")) || (key3 === "caFile"))){
const err41 = {instancePath:instancePath+"/egress",schemaPath:"#/properties/egress/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.egress,data:data18};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
if(data18.block !== undefined){
let data19 = data18.block;
if(Array.isArray(data19)){
const len2 = data19.length;
for(let i2=0; i2<len2; i2++){
let data20 = data19[i2];
if(typeof data20 === "string"){
if(!pattern3.test(data20)){
const err42 = {instancePath:instancePath+"/egress/block/" + i2,schemaPath:"#/definitions/ipv4Cidr/pattern",keyword:"pattern",params:{pattern: "^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$"},message:"must match pattern \""+"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$"+"\"",schema:"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])$",parentSchema:schema13,data:data20};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
else {
const err43 = {instancePath:instancePath+"/egress/block/" + i2,schemaPath:"#/definitions/ipv4Cidr/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema13.type,parentSchema:schema13,data:data20};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
}
else {
const err44 = {instancePath:instancePath+"/egress/block",schemaPath:"#/properties/egress/properties/block/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.egress.properties.block.type,parentSchema:schema11.properties.egress.properties.block,data:data19};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
if(data18.block6 !== undefined){
let data21 = data18.block6;
if(Array.isArray(data21)){
const len3 = data21.length;
for(let i3=0; i3<len3; i3++){
let data22 = data21[i3];
if(typeof data22 === "string"){
if(!pattern6.test(data22)){
const err45 = {instancePath:instancePath+"/egress/block6/" + i3,schemaPath:"#/definitions/ipv6Cidr/pattern",keyword:"pattern",params:{pattern: "^[0-9A-Fa-f:.]+/[0-9]{1,3}$"},message:"must match pattern \""+"^[0-9A-Fa-f:.]+/[0-9]{1,3}$"+"\"",schema:"^[0-9A-Fa-f:.]+/[0-9]{1,3}$",parentSchema:schema15,data:data22};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
else {
const err46 = {instancePath:instancePath+"/egress/block6/" + i3,schemaPath:"#/definitions/ipv6Cidr/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema15.type,parentSchema:schema15,data:data22};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
}
else {
const err47 = {instancePath:instancePath+"/egress/block6",schemaPath:"#/properties/egress/properties/block6/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.egress.properties.block6.type,parentSchema:schema11.properties.egress.properties.block6,data:data21};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
}
if(data18.allow !== undefined){
let data23 = data18.allow;
if(Array.isArray(data23)){
const len4 = data23.length;
for(let i4=0; i4<len4; i4++){
if(!(validate11(data23[i4], {instancePath:instancePath+"/egress/allow/" + i4,parentData:data23,parentDataProperty:i4,rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
}
else {
const err48 = {instancePath:instancePath+"/egress/allow",schemaPath:"#/properties/egress/properties/allow/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.egress.properties.allow.type,parentSchema:schema11.properties.egress.properties.allow,data:data23};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
if(data18.alsoAllow !== undefined){
let data25 = data18.alsoAllow;
if(Array.isArray(data25)){
const len5 = data25.length;
for(let i5=0; i5<len5; i5++){
if(!(validate11(data25[i5], {instancePath:instancePath+"/egress/alsoAllow/" + i5,parentData:data25,parentDataProperty:i5,rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
}
else {
const err49 = {instancePath:instancePath+"/egress/alsoAllow",schemaPath:"#/properties/egress/properties/alsoAllow/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.egress.properties.alsoAllow.type,parentSchema:schema11.properties.egress.properties.alsoAllow,data:data25};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
}
if(data18.domains !== undefined){
let data27 = data18.domains;
if(Array.isArray(data27)){
if(data27.length < 1){
const err50 = {instancePath:instancePath+"/egress/domains",schemaPath:"#/properties/egress/properties/domains/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.egress.properties.domains,data:data27};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
const len6 = data27.length;
for(let i6=0; i6<len6; i6++){
let data28 = data27[i6];
if(typeof data28 === "string"){
if(func3(data28) < 1){
const err51 = {instancePath:instancePath+"/egress/domains/" + i6,schemaPath:"#/properties/egress/properties/domains/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.egress.properties.domains.items,data:data28};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
else {
const err52 = {instancePath:instancePath+"/egress/domains/" + i6,schemaPath:"#/properties/egress/properties/domains/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.egress.properties.domains.items.type,parentSchema:schema11.properties.egress.properties.domains.items,data:data28};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
}
}
else {
const err53 = {instancePath:instancePath+"/egress/domains",schemaPath:"#/properties/egress/properties/domains/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.egress.properties.domains.type,parentSchema:schema11.properties.egress.properties.domains,data:data27};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
if(data18.proxyImage !== undefined){
let data29 = data18.proxyImage;
if(typeof data29 === "string"){
if(func3(data29) < 1){
const err54 = {instancePath:instancePath+"/egress/proxyImage",schemaPath:"#/properties/egress/properties/proxyImage/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.egress.properties.proxyImage,data:data29};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
}
else {
const err55 = {instancePath:instancePath+"/egress/proxyImage",schemaPath:"#/properties/egress/properties/proxyImage/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.egress.properties.proxyImage.type,parentSchema:schema11.properties.egress.properties.proxyImage,data:data29};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
}
if(data18.caFile !== undefined){
let data30 = data18.caFile;
if(typeof data30 === "string"){
if(func3(data30) < 1){
const err56 = {instancePath:instancePath+"/egress/caFile",schemaPath:"#/properties/egress/properties/caFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.egress.properties.caFile,data:data30};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
else {
const err57 = {instancePath:instancePath+"/egress/caFile",schemaPath:"#/properties/egress/properties/caFile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.egress.properties.caFile.type,parentSchema:schema11.properties.egress.properties.caFile,data:data30};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
}
}
else {
const err58 = {instancePath:instancePath+"/egress",schemaPath:"#/properties/egress/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.egress.type,parentSchema:schema11.properties.egress,data:data18};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
}
if(data.credentials !== undefined){
let data31 = data.credentials;
if(Array.isArray(data31)){
const len7 = data31.length;
for(let i7=0; i7<len7; i7++){
let data32 = data31[i7];
if(data32 && typeof data32 == "object" && !Array.isArray(data32)){
if(data32.host === undefined){
const err59 = {instancePath:instancePath+"/credentials/" + i7,schemaPath:"#/definitions/credential/required",keyword:"required",params:{missingProperty: "host"},message:"must have required property '"+"host"+"'",schema:schema23.required,parentSchema:schema23,data:data32};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
if(data32.header === undefined){
const err60 = {instancePath:instancePath+"/credentials/" + i7,schemaPath:"#/definitions/credential/required",keyword:"required",params:{missingProperty: "header"},message:"must have required property '"+"header"+"'",schema:schema23.required,parentSchema:schema23,data:data32};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
if(data32.baseUrlEnv === undefined){
const err61 = {instancePath:instancePath+"/credentials/" + i7,schemaPath:"#/definitions/credential/required",keyword:"required",params:{missingProperty: "baseUrlEnv"},message:"must have required property '"+"baseUrlEnv"+"'",schema:schema23.required,parentSchema:schema23,data:data32};
if(vErrors === null){
vErrors = [err61];
}
else {
vErrors.push(err61);
}
errors++;
}
for(const key4 in data32){
if(!(((((key4 === "host") || (key4 === "header")) || (key4 === "value")) || (key4 === "valueFile")) || (key4 === "baseUrlEnv"))){
const err62 = {instancePath:instancePath+"/credentials/" + i7,schemaPath:"#/definitions/credential/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties",schema:false,parentSchema:schema23,data:data32};
if(vErrors === null){
vErrors = [err62];
}
else {
vErrors.push(err62);
}
errors++;
}
}
if(data32.host !== undefined){
let data33 = data32.host;
if(typeof data33 === "string"){
if(func3(data33) < 1){
const err63 = {instancePath:instancePath+"/credentials/" + i7+"/host",schemaPath:"#/definitions/credential/properties/host/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema23.properties.host,data:data33};
if(vErrors === null){
vErrors = [err63];
}
else {
vErrors.push(err63);
}
errors++;
}
}
else {
const err64 = {instancePath:instancePath+"/credentials/" + i7+"/host",schemaPath:"#/definitions/credential/properties/host/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.properties.host.type,parentSchema:schema23.properties.host,data:data33};
if(vErrors === null){
vErrors = [err64];
}
else {
vErrors.push(err64);
}
errors++;
}
}
if(data32.header !== undefined){
let data34 = data32.header;
if(typeof data34 === "string"){
if(!pattern12.test(data34)){
const err65 = {instancePath:instancePath+"/credentials/" + i7+"/header",schemaPath:"#/definitions/credential/properties/header/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"},message:"must match pattern \""+"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"+"\"",schema:"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",parentSchema:schema23.properties.header,data:data34};
if(vErrors === null){
vErrors = [err65];
}
else {
vErrors.push(err65);
}
errors++;
}
}
else {
const err66 = {instancePath:instancePath+"/credentials/" + i7+"/header",schemaPath:"#/definitions/credential/properties/header/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.properties.header.type,parentSchema:schema23.properties.header,data:data34};
if(vErrors === null){
vErrors = [err66];
}
else {
vErrors.push(err66);
}
errors++;
}
}
if(data32.value !== undefined){
let data35 = data32.value;
if(typeof data35 === "string"){
if(func3(data35) < 1){
const err67 = {instancePath:instancePath+"/credentials/" + i7+"/value",schemaPath:"#/definitions/credential/properties/value/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema23.properties.value,data:data35};
if(vErrors === null){
vErrors = [err67];
}
else {
vErrors.push(err67);
}
errors++;
}
}
else {
const err68 = {instancePath:instancePath+"/credentials/" + i7+"/value",schemaPath:"#/definitions/credential/properties/value/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.properties.value.type,parentSchema:schema23.properties.value,data:data35};
if(vErrors === null){
vErrors = [err68];
}
else {
vErrors.push(err68);
}
errors++;
}
}
if(data32.valueFile !== undefined){
let data36 = data32.valueFile;
if(typeof data36 === "string"){
if(func3(data36) < 1){
const err69 = {instancePath:instancePath+"/credentials/" + i7+"/valueFile",schemaPath:"#/definitions/credential/properties/valueFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema23.properties.valueFile,data:data36};
if(vErrors === null){
vErrors = [err69];
}
else {
vErrors.push(err69);
}
errors++;
}
}
else {
const err70 = {instancePath:instancePath+"/credentials/" + i7+"/valueFile",schemaPath:"#/definitions/credential/properties/valueFile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.properties.valueFile.type,parentSchema:schema23.properties.valueFile,data:data36};
if(vErrors === null){
vErrors = [err70];
}
else {
vErrors.push(err70);
}
errors++;
}
}
if(data32.baseUrlEnv !== undefined){
let data37 = data32.baseUrlEnv;
if(typeof data37 === "string"){
if(!pattern13.test(data37)){
const err71 = {instancePath:instancePath+"/credentials/" + i7+"/baseUrlEnv",schemaPath:"#/definitions/credential/properties/baseUrlEnv/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema23.properties.baseUrlEnv,data:data37};
if(vErrors === null){
vErrors = [err71];
}
else {
vErrors.push(err71);
}
errors++;
}
}
else {
const err72 = {instancePath:instancePath+"/credentials/" + i7+"/baseUrlEnv",schemaPath:"#/definitions/credential/properties/baseUrlEnv/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema23.properties.baseUrlEnv.type,parentSchema:schema23.properties.baseUrlEnv,data:data37};
if(vErrors === null){
vErrors = [err72];
}
else {
vErrors.push(err72);
}
errors++;
}
}
}
else {
const err73 = {instancePath:instancePath+"/credentials/" + i7,schemaPath:"#/definitions/credential/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema23.type,parentSchema:schema23,data:data32};
if(vErrors === null){
vErrors = [err73];
}
else {
vErrors.push(err73);
}
errors++;
}
}
}
else {
const err74 = {instancePath:instancePath+"/credentials",schemaPath:"#/properties/credentials/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.credentials.type,parentSchema:schema11.properties.credentials,data:data31};
if(vErrors === null){
vErrors = [err74];
}
else {
vErrors.push(err74);
}
errors++;
}
}
if(data.hostPorts !== undefined){
let data38 = data.hostPorts;
if(Array.isArray(data38)){
const len8 = data38.length;
for(let i8=0; i8<len8; i8++){
let data39 = data38[i8];
if(data39 && typeof data39 == "object" && !Array.isArray(data39)){
if(data39.port === undefined){
const err75 = {instancePath:instancePath+"/hostPorts/" + i8,schemaPath:"#/properties/hostPorts/items/required",keyword:"required",params:{missingProperty: "port"},message:"must have required property '"+"port"+"'",schema:schema11.properties.hostPorts.items.required,parentSchema:schema11.properties.hostPorts.items,data:data39};
if(vErrors === null){
vErrors = [err75];
}
else {
vErrors.push(err75);
}
errors++;
}
for(const key5 in data39){
if(!(((key5 === "port") || (key5 === "protocol")) || (key5 === "comment"))){
const err76 = {instancePath:instancePath+"/hostPorts/" + i8,schemaPath:"#/properties/hostPorts/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key5},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.hostPorts.items,data:data39};
if(vErrors === null){
vErrors = [err76];
}
else {
vErrors.push(err76);
}
errors++;
}
}
if(data39.port !== undefined){
let data40 = data39.port;
if(!(((typeof data40 == "number") && (!(data40 % 1) && !isNaN(data40))) && (isFinite(data40)))){
const err77 = {instancePath:instancePath+"/hostPorts/" + i8+"/port",schemaPath:"#/definitions/port/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema21.type,parentSchema:schema21,data:data40};
if(vErrors === null){
vErrors = [err77];
}
else {
vErrors.push(err77);
}
errors++;
}
if((typeof data40 == "number") && (isFinite(data40))){
if(data40 > 65535 || isNaN(data40)){
const err78 = {instancePath:instancePath+"/hostPorts/" + i8+"/port",schemaPath:"#/definitions/port/maximum",keyword:"maximum",params:{comparison: "<=", limit: 65535},message:"must be <= 65535",schema:65535,parentSchema:schema21,data:data40};
if(vErrors === null){
vErrors = [err78];
}
else {
vErrors.push(err78);
}
errors++;
}
if(data40 < 1 || isNaN(data40)){
const err79 = {instancePath:instancePath+"/hostPorts/" + i8+"/port",schemaPath:"#/definitions/port/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema21,data:data40};
if(vErrors === null){
vErrors = [err79];
}
else {
vErrors.push(err79);
}
errors++;
}
}
}
if(data39.protocol !== undefined){
let data41 = data39.protocol;
if(typeof data41 !== "string"){
const err80 = {instancePath:instancePath+"/hostPorts/" + i8+"/protocol",schemaPath:"#/properties/hostPorts/items/properties/protocol/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.hostPorts.items.properties.protocol.type,parentSchema:schema11.properties.hostPorts.items.properties.protocol,data:data41};
if(vErrors === null){
vErrors = [err80];
}
else {
vErrors.push(err80);
}
errors++;
}
if(!((data41 === "tcp") || (data41 === "udp"))){
const err81 = {instancePath:instancePath+"/hostPorts/" + i8+"/protocol",schemaPath:"#/properties/hostPorts/items/properties/protocol/enum",keyword:"enum",params:{allowedValues: schema11.properties.hostPorts.items.properties.protocol.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.hostPorts.items.properties.protocol.enum,parentSchema:schema11.properties.hostPorts.items.properties.protocol,data:data41};
if(vErrors === null){
vErrors = [err81];
}
else {
vErrors.push(err81);
}
errors++;
}
}
if(data39.comment !== undefined){
let data42 = data39.comment;
if(typeof data42 === "string"){
if(!pattern11.test(data42)){
const err82 = {instancePath:instancePath+"/hostPorts/" + i8+"/comment",schemaPath:"#/definitions/comment/pattern",keyword:"pattern",params:{pattern: "^[ !#-&(-\\[\\]-~]{0,200}$"},message:"must match pattern \""+"^[ !#-&(-\\[\\]-~]{0,200}$"+"\"",schema:"^[ !#-&(-\\[\\]-~]{0,200}$",parentSchema:schema22,data:data42};
if(vErrors === null){
vErrors = [err82];
}
else {
vErrors.push(err82);
}
errors++;
}
}
else {
const err83 = {instancePath:instancePath+"/hostPorts/" + i8+"/comment",schemaPath:"#/definitions/comment/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema22.type,parentSchema:schema22,data:data42};
if(vErrors === null){
vErrors = [err83];
}
else {
vErrors.push(err83);
}
errors++;
}
}
}
else {
const err84 = {instancePath:instancePath+"/hostPorts/" + i8,schemaPath:"#/properties/hostPorts/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.hostPorts.items.type,parentSchema:schema11.properties.hostPorts.items,data:data39};
if(vErrors === null){
vErrors = [err84];
}
else {
vErrors.push(err84);
}
errors++;
}
}
}
else {
const err85 = {instancePath:instancePath+"/hostPorts",schemaPath:"#/properties/hostPorts/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.hostPorts.type,parentSchema:schema11.properties.hostPorts,data:data38};
if(vErrors === null){
vErrors = [err85];
}
else {
vErrors.push(err85);
}
errors++;
}
}
if(data.docker !== undefined){
let data43 = data.docker;
if((typeof data43 !== "boolean") && (!(data43 && typeof data43 == "object" && !Array.isArray(data43)))){
const err86 = {instancePath:instancePath+"/docker",schemaPath:"#/properties/docker/type",keyword:"type",params:{type: schema11.properties.docker.type},message:"must be boolean,object",schema:schema11.properties.docker.type,parentSchema:schema11.properties.docker,data:data43};
if(vErrors === null){
vErrors = [err86];
}
else {
vErrors.push(err86);
}
errors++;
}
if(data43 && typeof data43 == "object" && !Array.isArray(data43)){
for(const key6 in data43){
if(!(key6 === "image")){
const err87 = {instancePath:instancePath+"/docker",schemaPath:"#/properties/docker/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key6},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.docker,data:data43};
if(vErrors === null){
vErrors = [err87];
}
else {
vErrors.push(err87);
}
errors++;
}
}
if(data43.image !== undefined){
let data44 = data43.image;
if(typeof data44 === "string"){
if(func3(data44) < 1){
const err88 = {instancePath:instancePath+"/docker/image",schemaPath:"#/properties/docker/properties/image/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.docker.properties.image,data:data44};
if(vErrors === null){
vErrors = [err88];
}
else {
vErrors.push(err88);
}
errors++;
}
}
else {
const err89 = {instancePath:instancePath+"/docker/image",schemaPath:"#/properties/docker/properties/image/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.docker.properties.image.type,parentSchema:schema11.properties.docker.properties.image,data:data44};
if(vErrors === null){
vErrors = [err89];
}
else {
vErrors.push(err89);
}
errors++;
}
}
}
}
if(data.container !== undefined){
let data45 = data.container;
if(data45 && typeof data45 == "object" && !Array.isArray(data45)){
for(const key7 in data45){
if(!(func2.call(schema11.properties.container.properties, key7))){
const err90 = {instancePath:instancePath+"/container",schemaPath:"#/properties/container/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key7},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.container,data:data45};
if(vErrors === null){
vErrors = [err90];
}
else {
vErrors.push(err90);
}
errors++;
}
}
if(data45.name !== undefined){
let data46 = data45.name;
if(typeof data46 === "string"){
if(!pattern2.test(data46)){
const err91 = {instancePath:instancePath+"/container/name",schemaPath:"#/definitions/dockerName/pattern",keyword:"pattern",params:{pattern: "^[a-zA-Z0-9][a-zA-Z0-9_.-]+$"},message:"must match pattern \""+"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$"+"\"",schema:"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$",parentSchema:schema12,data:data46};
if(vErrors === null){
vErrors = [err91];
}
else {
vErrors.push(err91);
}
errors++;
}
}
else {
const err92 = {instancePath:instancePath+"/container/name",schemaPath:"#/definitions/dockerName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema12.type,parentSchema:schema12,data:data46};
if(vErrors === null){
vErrors = [err92];
}
else {
vErrors.push(err92);
}
errors++;
}
}
if(data45.user !== undefined){
let data47 = data45.user;
if(typeof data47 === "string"){
if(!pattern16.test(data47)){
const err93 = {instancePath:instancePath+"/container/user",schemaPath:"#/properties/container/properties/user/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$"},message:"must match pattern \""+"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$"+"\"",schema:"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$",parentSchema:schema11.properties.container.properties.user,data:data47};
if(vErrors === null){
vErrors = [err93];
}
else {
vErrors.push(err93);
}
errors++;
}
}
else {
const err94 = {instancePath:instancePath+"/container/user",schemaPath:"#/properties/container/properties/user/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.container.properties.user.type,parentSchema:schema11.properties.container.properties.user,data:data47};
if(vErrors === null){
vErrors = [err94];
}
else {
vErrors.push(err94);
}
errors++;
}
}
if(data45.env !== undefined){
let data48 = data45.env;
if(data48 && typeof data48 == "object" && !Array.isArray(data48)){
for(const key8 in data48){
const _errs116 = errors;
if(typeof key8 === "string"){
if(!pattern13.test(key8)){
const err95 = {instancePath:instancePath+"/container/env",schemaPath:"#/definitions/envName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema27,data:key8,propertyName:key8};
if(vErrors === null){
vErrors = [err95];
}
else {
vErrors.push(err95);
}
errors++;
}
}
else {
const err96 = {instancePath:instancePath+"/container/env",schemaPath:"#/definitions/envName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema27.type,parentSchema:schema27,data:key8,propertyName:key8};
if(vErrors === null){
vErrors = [err96];
}
else {
vErrors.push(err96);
}
errors++;
}
var valid37 = _errs116 === errors;
if(!valid37){
const err97 = {instancePath:instancePath+"/container/env",schemaPath:"#/properties/container/properties/env/propertyNames",keyword:"propertyNames",params:{propertyName: key8},message:"property name must be valid",schema:schema11.properties.container.properties.env.propertyNames,parentSchema:schema11.properties.container.properties.env,data:data48};
if(vErrors === null){
vErrors = [err97];
}
else {
vErrors.push(err97);
}
errors++;
}
}
for(const key9 in data48){
let data49 = data48[key9];
if(((typeof data49 !== "string") && (!((typeof data49 == "number") && (isFinite(data49))))) && (typeof data49 !== "boolean")){
const err98 = {instancePath:instancePath+"/container/env/" + key9.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/scalar/type",keyword:"type",params:{type: schema28.type},message:"must be string,number,boolean",schema:schema28.type,parentSchema:schema28,data:data49};
if(vErrors === null){
vErrors = [err98];
}
else {
vErrors.push(err98);
}
errors++;
}
}
}
else {
const err99 = {instancePath:instancePath+"/container/env",schemaPath:"#/properties/container/properties/env/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.container.properties.env.type,parentSchema:schema11.properties.container.properties.env,data:data48};
if(vErrors === null){
vErrors = [err99];
}
else {
vErrors.push(err99);
}
errors++;
}
}
if(data45.passEnv !== undefined){
let data50 = data45.passEnv;
if(Array.isArray(data50)){
const len9 = data50.length;
for(let i9=0; i9<len9; i9++){
let data51 = data50[i9];
if(typeof data51 === "string"){
if(!pattern13.test(data51)){
const err100 = {instancePath:instancePath+"/container/passEnv/" + i9,schemaPath:"#/definitions/envName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_][A-Za-z0-9_]*$"},message:"must match pattern \""+"^[A-Za-z_][A-Za-z0-9_]*$"+"\"",schema:"^[A-Za-z_][A-Za-z0-9_]*$",parentSchema:schema27,data:data51};
if(vErrors === null){
vErrors = [err100];
}
else {
vErrors.push(err100);
}
errors++;
}
}
else {
const err101 = {instancePath:instancePath+"/container/passEnv/" + i9,schemaPath:"#/definitions/envName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema27.type,parentSchema:schema27,data:data51};
if(vErrors === null){
vErrors = [err101];
}
else {
vErrors.push(err101);
}
errors++;
}
}
}
else {
const err102 = {instancePath:instancePath+"/container/passEnv",schemaPath:"#/properties/container/properties/passEnv/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.container.properties.passEnv.type,parentSchema:schema11.properties.container.properties.passEnv,data:data50};
if(vErrors === null){
vErrors = [err102];
}
else {
vErrors.push(err102);
}
errors++;
}
}
if(data45.envFile !== undefined){
let data52 = data45.envFile;
if(typeof data52 === "string"){
if(func3(data52) < 1){
const err103 = {instancePath:instancePath+"/container/envFile",schemaPath:"#/properties/container/properties/envFile/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.container.properties.envFile,data:data52};
if(vErrors === null){
vErrors = [err103];
}
else {
vErrors.push(err103);
}
errors++;
}
}
else {
const err104 = {instancePath:instancePath+"/container/envFile",schemaPath:"#/properties/container/properties/envFile/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.container.properties.envFile.type,parentSchema:schema11.properties.container.properties.envFile,data:data52};
if(vErrors === null){
vErrors = [err104];
}
else {
vErrors.push(err104);
}
errors++;
}
}
if(data45.mounts !== undefined){
let data53 = data45.mounts;
if(Array.isArray(data53)){
const len10 = data53.length;
for(let i10=0; i10<len10; i10++){
let data54 = data53[i10];
if(typeof data54 === "string"){
if(func3(data54) < 1){
const err105 = {instancePath:instancePath+"/container/mounts/" + i10,schemaPath:"#/properties/container/properties/mounts/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.container.properties.mounts.items,data:data54};
if(vErrors === null){
vErrors = [err105];
}
else {
vErrors.push(err105);
}
errors++;
}
}
else {
const err106 = {instancePath:instancePath+"/container/mounts/" + i10,schemaPath:"#/properties/container/properties/mounts/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.container.properties.mounts.items.type,parentSchema:schema11.properties.container.properties.mounts.items,data:data54};
if(vErrors === null){
vErrors = [err106];
}
else {
vErrors.push(err106);
}
errors++;
}
}
}
else {
const err107 = {instancePath:instancePath+"/container/mounts",schemaPath:"#/properties/container/properties/mounts/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.container.properties.mounts.type,parentSchema:schema11.properties.container.properties.mounts,data:data53};
if(vErrors === null){
vErrors = [err107];
}
else {
vErrors.push(err107);
}
errors++;
}
}
if(data45.sensitiveMounts !== undefined){
let data55 = data45.sensitiveMounts;
if(Array.isArray(data55)){
const len11 = data55.length;
for(let i11=0; i11<len11; i11++){
let data56 = data55[i11];
if(typeof data56 === "string"){
if(func3(data56) < 1){
const err108 = {instancePath:instancePath+"/container/sensitiveMounts/" + i11,schemaPath:"#/properties/container/properties/sensitiveMounts/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.container.properties.sensitiveMounts.items,data:data56};
if(vErrors === null){
vErrors = [err108];
}
else {
vErrors.push(err108);
}
errors++;
}
}
else {
const err109 = {instancePath:instancePath+"/container/sensitiveMounts/" + i11,schemaPath:"#/properties/container/properties/sensitiveMounts/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.container.properties.sensitiveMounts.items.type,parentSchema:schema11.properties.container.properties.sensitiveMounts.items,data:data56};
if(vErrors === null){
vErrors = [err109];
}
else {
vErrors.push(err109);
}
errors++;
}
}
}
else {
const err110 = {instancePath:instancePath+"/container/sensitiveMounts",schemaPath:"#/properties/container/properties/sensitiveMounts/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.container.properties.sensitiveMounts.type,parentSchema:schema11.properties.container.properties.sensitiveMounts,data:data55};
if(vErrors === null){
vErrors = [err110];
}
else {
vErrors.push(err110);
}
errors++;
}
}
if(data45.workdir !== undefined){
let data57 = data45.workdir;
if(typeof data57 === "string"){
if(func3(data57) < 1){
const err111 = {instancePath:instancePath+"/container/workdir",schemaPath:"#/properties/container/properties/workdir/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.container.properties.workdir,data:data57};
if(vErrors === null){
vErrors = [err111];
}
else {
vErrors.push(err111);
}
errors++;
}
}
else {
const err112 = {instancePath:instancePath+"/container/workdir",schemaPath:"#/properties/container/properties/workdir/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.container.properties.workdir.type,parentSchema:schema11.properties.container.properties.workdir,data:data57};
if(vErrors === null){
vErrors = [err112];
}
else {
vErrors.push(err112);
}
errors++;
}
}
if(data45.restart !== undefined){
let data58 = data45.restart;
if(typeof data58 !== "string"){
const err113 = {instancePath:instancePath+"/container/restart",schemaPath:"#/properties/container/properties/restart/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.container.properties.restart.type,parentSchema:schema11.properties.container.properties.restart,data:data58};
if(vErrors === null){
vErrors = [err113];
}
else {
vErrors.push(err113);
}
errors++;
}
if(!((((data58 === "no") || (data58 === "on-failure")) || (data58 === "unless-stopped")) || (data58 === "always"))){
const err114 = {instancePath:instancePath+"/container/restart",schemaPath:"#/properties/container/properties/restart/enum",keyword:"enum",params:{allowedValues: schema11.properties.container.properties.restart.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.container.properties.restart.enum,parentSchema:schema11.properties.container.properties.restart,data:data58};
if(vErrors === null){
vErrors = [err114];
}
else {
vErrors.push(err114);
}
errors++;
}
}
if(data45.sysctls !== undefined){
let data59 = data45.sysctls;
if(data59 && typeof data59 == "object" && !Array.isArray(data59)){
for(const key10 in data59){
const _errs144 = errors;
if(typeof key10 === "string"){
if(!pattern19.test(key10)){
const err115 = {instancePath:instancePath+"/container/sysctls",schemaPath:"#/properties/container/properties/sysctls/propertyNames/pattern",keyword:"pattern",params:{pattern: "^[a-z0-9_]+([./][a-zA-Z0-9_-]+)+$"},message:"must match pattern \""+"^[a-z0-9_]+([./][a-zA-Z0-9_-]+)+$"+"\"",schema:"^[a-z0-9_]+([./][a-zA-Z0-9_-]+)+$",parentSchema:schema11.properties.container.properties.sysctls.propertyNames,data:key10,propertyName:key10};
if(vErrors === null){
vErrors = [err115];
}
else {
vErrors.push(err115);
}
errors++;
}
}
else {
const err116 = {instancePath:instancePath+"/container/sysctls",schemaPath:"#/properties/container/properties/sysctls/propertyNames/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.container.properties.sysctls.propertyNames.type,parentSchema:schema11.properties.container.properties.sysctls.propertyNames,data:key10,propertyName:key10};
if(vErrors === null){
vErrors = [err116];
}
else {
vErrors.push(err116);
}
errors++;
}
var valid48 = _errs144 === errors;
if(!valid48){
const err117 = {instancePath:instancePath+"/container/sysctls",schemaPath:"#/properties/container/properties/sysctls/propertyNames",keyword:"propertyNames",params:{propertyName: key10},message:"property name must be valid",schema:schema11.properties.container.properties.sysctls.propertyNames,parentSchema:schema11.properties.container.properties.sysctls,data:data59};
if(vErrors === null){
vErrors = [err117];
}
else {
vErrors.push(err117);
}
errors++;
}
}
for(const key11 in data59){
let data60 = data59[key11];
if(((typeof data60 !== "string") && (!((typeof data60 == "number") && (isFinite(data60))))) && (typeof data60 !== "boolean")){
const err118 = {instancePath:instancePath+"/container/sysctls/" + key11.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/definitions/scalar/type",keyword:"type",params:{type: schema28.type},message:"must be string,number,boolean",schema:schema28.type,parentSchema:schema28,data:data60};
if(vErrors === null){
vErrors = [err118];
}
else {
vErrors.push(err118);
}
errors++;
}
}
}
else {
const err119 = {instancePath:instancePath+"/container/sysctls",schemaPath:"#/properties/container/properties/sysctls/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.container.properties.sysctls.type,parentSchema:schema11.properties.container.properties.sysctls,data:data59};
if(vErrors === null){
vErrors = [err119];
}
else {
vErrors.push(err119);
}
errors++;
}
}
if(data45.readOnly !== undefined){
let data61 = data45.readOnly;
if(typeof data61 !== "boolean"){
const err120 = {instancePath:instancePath+"/container/readOnly",schemaPath:"#/properties/container/properties/readOnly/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.container.properties.readOnly.type,parentSchema:schema11.properties.container.properties.readOnly,data:data61};
if(vErrors === null){
vErrors = [err120];
}
else {
vErrors.push(err120);
}
errors++;
}
}
if(data45.publish !== undefined){
let data62 = data45.publish;
if(Array.isArray(data62)){
const len12 = data62.length;
for(let i12=0; i12<len12; i12++){
let data63 = data62[i12];
if(typeof data63 === "string"){
if(!pattern20.test(data63)){
const err121 = {instancePath:instancePath+"/container/publish/" + i12,schemaPath:"#/properties/container/properties/publish/items/pattern",keyword:"pattern",params:{pattern: "^((\\[[0-9A-Fa-f:.]+\\]|[0-9.]+):)?(([0-9]+(-[0-9]+)?)?:)?[0-9]+(-[0-9]+)?(/(tcp|udp|sctp))?$"},message:"must match pattern \""+"^((\\[[0-9A-Fa-f:.]+\\]|[0-9.]+):)?(([0-9]+(-[0-9]+)?)?:)?[0-9]+(-[0-9]+)?(/(tcp|udp|sctp))?$"+"\"",schema:"^((\\[[0-9A-Fa-f:.]+\\]|[0-9.]+):)?(([0-9]+(-[0-9]+)?)?:)?[0-9]+(-[0-9]+)?(/(tcp|udp|sctp))?$",parentSchema:schema11.properties.container.properties.publish.items,data:data63};
if(vErrors === null){
vErrors = [err121];
}
else {
vErrors.push(err121);
}
errors++;
}
}
else {
const err122 = {instancePath:instancePath+"/container/publish/" + i12,schemaPath:"#/properties/container/properties/publish/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.container.properties.publish.items.type,parentSchema:schema11.properties.container.properties.publish.items,data:data63};
if(vErrors === null){
vErrors = [err122];
}
else {
vErrors.push(err122);
}
errors++;
}
}
}
else {
const err123 = {instancePath:instancePath+"/container/publish",schemaPath:"#/properties/container/properties/publish/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.container.properties.publish.type,parentSchema:schema11.properties.container.properties.publish,data:data62};
if(vErrors === null){
vErrors = [err123];
}
else {
vErrors.push(err123);
}
errors++;
}
}
if(data45.capAdd !== undefined){
let data64 = data45.capAdd;
if(Array.isArray(data64)){
const len13 = data64.length;
for(let i13=0; i13<len13; i13++){
let data65 = data64[i13];
if(typeof data65 === "string"){
if(!pattern21.test(data65)){
const err124 = {instancePath:instancePath+"/container/capAdd/" + i13,schemaPath:"#/properties/container/properties/capAdd/items/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z_]+$"},message:"must match pattern \""+"^[A-Za-z_]+$"+"\"",schema:"^[A-Za-z_]+$",parentSchema:schema11.properties.container.properties.capAdd.items,data:data65};
if(vErrors === null){
vErrors = [err124];
}
else {
vErrors.push(err124);
}
errors++;
}
}
else {
const err125 = {instancePath:instancePath+"/container/capAdd/" + i13,schemaPath:"#/properties/container/properties/capAdd/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.container.properties.capAdd.items.type,parentSchema:schema11.properties.container.properties.capAdd.items,data:data65};
if(vErrors === null){
vErrors = [err125];
}
else {
vErrors.push(err125);
}
errors++;
}
}
}
else {
const err126 = {instancePath:instancePath+"/container/capAdd",schemaPath:"#/properties/container/properties/capAdd/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.container.properties.capAdd.type,parentSchema:schema11.properties.container.properties.capAdd,data:data64};
if(vErrors === null){
vErrors = [err126];
}
else {
vErrors.push(err126);
}
errors++;
}
}
if(data45.tmpfs !== undefined){
let data66 = data45.tmpfs;
if(Array.isArray(data66)){
const len14 = data66.length;
for(let i14=0; i14<len14; i14++){
let data67 = data66[i14];
if(typeof data67 === "string"){
if(!pattern22.test(data67)){
const err127 = {instancePath:instancePath+"/container/tmpfs/" + i14,schemaPath:"#/properties/container/properties/tmpfs/items/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema11.properties.container.properties.tmpfs.items,data:data67};
if(vErrors === null){
vErrors = [err127];
}
else {
vErrors.push(err127);
}
errors++;
}
}
else {
const err128 = {instancePath:instancePath+"/container/tmpfs/" + i14,schemaPath:"#/properties/container/properties/tmpfs/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.container.properties.tmpfs.items.type,parentSchema:schema11.properties.container.properties.tmpfs.items,data:data67};
if(vErrors === null){
vErrors = [err128];
}
else {
vErrors.push(err128);
}
errors++;
}
}
}
else {
const err129 = {instancePath:instancePath+"/container/tmpfs",schemaPath:"#/properties/container/properties/tmpfs/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.container.properties.tmpfs.type,parentSchema:schema11.properties.container.properties.tmpfs,data:data66};
if(vErrors === null){
vErrors = [err129];
}
else {
vErrors.push(err129);
}
errors++;
}
}
if(data45.dockerArgs !== undefined){
let data68 = data45.dockerArgs;
if(Array.isArray(data68)){
const len15 = data68.length;
for(let i15=0; i15<len15; i15++){
let data69 = data68[i15];
if(typeof data69 !== "string"){
const err130 = {instancePath:instancePath+"/container/dockerArgs/" + i15,schemaPath:"#/properties/container/properties/dockerArgs/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.container.properties.dockerArgs.items.type,parentSchema:schema11.properties.container.properties.dockerArgs.items,data:data69};
if(vErrors === null){
vErrors = [err130];
}
else {
vErrors.push(err130);
}
errors++;
}
}
}
else {
const err131 = {instancePath:instancePath+"/container/dockerArgs",schemaPath:"#/properties/container/properties/dockerArgs/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.container.properties.dockerArgs.type,parentSchema:schema11.properties.container.properties.dockerArgs,data:data68};
if(vErrors === null){
vErrors = [err131];
}
else {
vErrors.push(err131);
}
errors++;
}
}
if(data45.healthcheck !== undefined){
let data70 = data45.healthcheck;
if(data70 && typeof data70 == "object" && !Array.isArray(data70)){
if(data70.command === undefined){
const err132 = {instancePath:instancePath+"/container/healthcheck",schemaPath:"#/properties/container/properties/healthcheck/required",keyword:"required",params:{missingProperty: "command"},message:"must have required property '"+"command"+"'",schema:schema11.properties.container.properties.healthcheck.required,parentSchema:schema11.properties.container.properties.healthcheck,data:data70};
if(vErrors === null){
vErrors = [err132];
}
else {
vErrors.push(err132);
}
errors++;
}
for(const key12 in data70){
if(!(((((key12 === "command") || (key12 === "interval")) || (key12 === "timeout")) || (key12 === "startPeriod")) || (key12 === "retries"))){
const err133 = {instancePath:instancePath+"/container/healthcheck",schemaPath:"#/properties/container/properties/healthcheck/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key12},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.container.properties.healthcheck,data:data70};
if(vErrors === null){
vErrors = [err133];
}
else {
vErrors.push(err133);
}
errors++;
}
}
if(data70.command !== undefined){
let data71 = data70.command;
if((typeof data71 !== "string") && (!(Array.isArray(data71)))){
const err134 = {instancePath:instancePath+"/container/healthcheck/command",schemaPath:"#/properties/container/properties/healthcheck/properties/command/type",keyword:"type",params:{type: schema11.properties.container.properties.healthcheck.properties.command.type},message:"must be string,array",schema:schema11.properties.container.properties.healthcheck.properties.command.type,parentSchema:schema11.properties.container.properties.healthcheck.properties.command,data:data71};
if(vErrors === null){
vErrors = [err134];
}
else {
vErrors.push(err134);
}
errors++;
}
if(typeof data71 === "string"){
if(func3(data71) < 1){
const err135 = {instancePath:instancePath+"/container/healthcheck/command",schemaPath:"#/properties/container/properties/healthcheck/properties/command/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema11.properties.container.properties.healthcheck.properties.command,data:data71};
if(vErrors === null){
vErrors = [err135];
}
else {
vErrors.push(err135);
}
errors++;
}
}
if(Array.isArray(data71)){
if(data71.length < 1){
const err136 = {instancePath:instancePath+"/container/healthcheck/command",schemaPath:"#/properties/container/properties/healthcheck/properties/command/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.container.properties.healthcheck.properties.command,data:data71};
if(vErrors === null){
vErrors = [err136];
}
else {
vErrors.push(err136);
}
errors++;
}
const len16 = data71.length;
for(let i16=0; i16<len16; i16++){
let data72 = data71[i16];
if(typeof data72 !== "string"){
const err137 = {instancePath:instancePath+"/container/healthcheck/command/" + i16,schemaPath:"#/properties/container/properties/healthcheck/properties/command/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.container.properties.healthcheck.properties.command.items.type,parentSchema:schema11.properties.container.properties.healthcheck.properties.command.items,data:data72};
if(vErrors === null){
vErrors = [err137];
}
else {
vErrors.push(err137);
}
errors++;
}
}
}
}
if(data70.interval !== undefined){
let data73 = data70.interval;
if(typeof data73 === "string"){
if(!pattern23.test(data73)){
const err138 = {instancePath:instancePath+"/container/healthcheck/interval",schemaPath:"#/definitions/duration/pattern",keyword:"pattern",params:{pattern: "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$"},message:"must match pattern \""+"^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$"+"\"",schema:"^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$",parentSchema:schema31,data:data73};
if(vErrors === null){
vErrors = [err138];
}
else {
vErrors.push(err138);
}
errors++;
}
}
else {
const err139 = {instancePath:instancePath+"/container/healthcheck/interval",schemaPath:"#/definitions/duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.type,parentSchema:schema31,data:data73};
if(vErrors === null){
vErrors = [err139];
}
else {
vErrors.push(err139);
}
errors++;
}
}
if(data70.timeout !== undefined){
let data74 = data70.timeout;
if(typeof data74 === "string"){
if(!pattern23.test(data74)){
const err140 = {instancePath:instancePath+"/container/healthcheck/timeout",schemaPath:"#/definitions/duration/pattern",keyword:"pattern",params:{pattern: "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$"},message:"must match pattern \""+"^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$"+"\"",schema:"^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$",parentSchema:schema31,data:data74};
if(vErrors === null){
vErrors = [err140];
}
else {
vErrors.push(err140);
}
errors++;
}
}
else {
const err141 = {instancePath:instancePath+"/container/healthcheck/timeout",schemaPath:"#/definitions/duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.type,parentSchema:schema31,data:data74};
if(vErrors === null){
vErrors = [err141];
}
else {
vErrors.push(err141);
}
errors++;
}
}
if(data70.startPeriod !== undefined){
let data75 = data70.startPeriod;
if(typeof data75 === "string"){
if(!pattern23.test(data75)){
const err142 = {instancePath:instancePath+"/container/healthcheck/startPeriod",schemaPath:"#/definitions/duration/pattern",keyword:"pattern",params:{pattern: "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$"},message:"must match pattern \""+"^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$"+"\"",schema:"^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$",parentSchema:schema31,data:data75};
if(vErrors === null){
vErrors = [err142];
}
else {
vErrors.push(err142);
}
errors++;
}
}
else {
const err143 = {instancePath:instancePath+"/container/healthcheck/startPeriod",schemaPath:"#/definitions/duration/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.type,parentSchema:schema31,data:data75};
if(vErrors === null){
vErrors = [err143];
}
else {
vErrors.push(err143);
}
errors++;
}
}
if(data70.retries !== undefined){
let data76 = data70.retries;
if(!(((typeof data76 == "number") && (!(data76 % 1) && !isNaN(data76))) && (isFinite(data76)))){
const err144 = {instancePath:instancePath+"/container/healthcheck/retries",schemaPath:"#/properties/container/properties/healthcheck/properties/retries/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.container.properties.healthcheck.properties.retries.type,parentSchema:schema11.properties.container.properties.healthcheck.properties.retries,data:data76};
if(vErrors === null){
vErrors = [err144];
}
else {
vErrors.push(err144);
}
errors++;
}
if((typeof data76 == "number") && (isFinite(data76))){
if(data76 > 100 || isNaN(data76)){
const err145 = {instancePath:instancePath+"/container/healthcheck/retries",schemaPath:"#/properties/container/properties/healthcheck/properties/retries/maximum",keyword:"maximum",params:{comparison: "<=", limit: 100},message:"must be <= 100",schema:100,parentSchema:schema11.properties.container.properties.healthcheck.properties.retries,data:data76};
if(vErrors === null){
vErrors = [err145];
}
else {
vErrors.push(err145);
}
errors++;
}
if(data76 < 1 || isNaN(data76)){
const err146 = {instancePath:instancePath+"/container/healthcheck/retries",schemaPath:"#/properties/container/properties/healthcheck/properties/retries/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema11.properties.container.properties.healthcheck.properties.retries,data:data76};
if(vErrors === null){
vErrors = [err146];
}
else {
vErrors.push(err146);
}
errors++;
}
}
}
}
else {
const err147 = {instancePath:instancePath+"/container/healthcheck",schemaPath:"#/properties/container/properties/healthcheck/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.container.properties.healthcheck.type,parentSchema:schema11.properties.container.properties.healthcheck,data:data70};
if(vErrors === null){
vErrors = [err147];
}
else {
vErrors.push(err147);
}
errors++;
}
}
}
else {
const err148 = {instancePath:instancePath+"/container",schemaPath:"#/properties/container/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.container.type,parentSchema:schema11.properties.container,data:data45};
if(vErrors === null){
vErrors = [err148];
}
else {
vErrors.push(err148);
}
errors++;
}
}
if(data.probe !== undefined){
let data77 = data.probe;
if(data77 && typeof data77 == "object" && !Array.isArray(data77)){
for(const key13 in data77){
if(!(((((((key13 === "mustReach") || (key13 === "mustBlock")) || (key13 === "dnsName")) || (key13 === "timeoutMs")) || (key13 === "onFailure")) || (key13 === "onOutage")) || (key13 === "outageRetrySec"))){
const err149 = {instancePath:instancePath+"/probe",schemaPath:"#/properties/probe/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key13},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.probe,data:data77};
if(vErrors === null){
vErrors = [err149];
}
else {
vErrors.push(err149);
}
errors++;
}
}
if(data77.mustReach !== undefined){
let data78 = data77.mustReach;
if(Array.isArray(data78)){
const len17 = data78.length;
for(let i17=0; i17<len17; i17++){
if(!(validate14(data78[i17], {instancePath:instancePath+"/probe/mustReach/" + i17,parentData:data78,parentDataProperty:i17,rootData}))){
vErrors = vErrors === null ? validate14.errors : vErrors.concat(validate14.errors);
errors = vErrors.length;
}
}
}
else {
const err150 = {instancePath:instancePath+"/probe/mustReach",schemaPath:"#/properties/probe/properties/mustReach/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.probe.properties.mustReach.type,parentSchema:schema11.properties.probe.properties.mustReach,data:data78};
if(vErrors === null){
vErrors = [err150];
}
else {
vErrors.push(err150);
}
errors++;
}
}
if(data77.mustBlock !== undefined){
let data80 = data77.mustBlock;
if(Array.isArray(data80)){
const len18 = data80.length;
for(let i18=0; i18<len18; i18++){
if(!(validate14(data80[i18], {instancePath:instancePath+"/probe/mustBlock/" + i18,parentData:data80,parentDataProperty:i18,rootData}))){
vErrors = vErrors === null ? validate14.errors : vErrors.concat(validate14.errors);
errors = vErrors.length;
}
}
}
else {
const err151 = {instancePath:instancePath+"/probe/mustBlock",schemaPath:"#/properties/probe/properties/mustBlock/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.probe.properties.mustBlock.type,parentSchema:schema11.properties.probe.properties.mustBlock,data:data80};
if(vErrors === null){
vErrors = [err151];
}
else {
vErrors.push(err151);
}
errors++;
}
}
if(data77.dnsName !== undefined){
let data82 = data77.dnsName;
if(typeof data82 === "string"){
if(!pattern26.test(data82)){
const err152 = {instancePath:instancePath+"/probe/dnsName",schemaPath:"#/definitions/hostName/pattern",keyword:"pattern",params:{pattern: "^[A-Za-z0-9_:.-]{1,253}$"},message:"must match pattern \""+"^[A-Za-z0-9_:.-]{1,253}$"+"\"",schema:"^[A-Za-z0-9_:.-]{1,253}$",parentSchema:schema35,data:data82};
if(vErrors === null){
vErrors = [err152];
}
else {
vErrors.push(err152);
}
errors++;
}
}
else {
const err153 = {instancePath:instancePath+"/probe/dnsName",schemaPath:"#/definitions/hostName/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema35.type,parentSchema:schema35,data:data82};
if(vErrors === null){
vErrors = [err153];
}
else {
vErrors.push(err153);
}
errors++;
}
}
if(data77.timeoutMs !== undefined){
let data83 = data77.timeoutMs;
if(!(((typeof data83 == "number") && (!(data83 % 1) && !isNaN(data83))) && (isFinite(data83)))){
const err154 = {instancePath:instancePath+"/probe/timeoutMs",schemaPath:"#/properties/probe/properties/timeoutMs/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.probe.properties.timeoutMs.type,parentSchema:schema11.properties.probe.properties.timeoutMs,data:data83};
if(vErrors === null){
vErrors = [err154];
}
else {
vErrors.push(err154);
}
errors++;
}
if((typeof data83 == "number") && (isFinite(data83))){
if(data83 > 60000 || isNaN(data83)){
const err155 = {instancePath:instancePath+"/probe/timeoutMs",schemaPath:"#/properties/probe/properties/timeoutMs/maximum",keyword:"maximum",params:{comparison: "<=", limit: 60000},message:"must be <= 60000",schema:60000,parentSchema:schema11.properties.probe.properties.timeoutMs,data:data83};
if(vErrors === null){
vErrors = [err155];
}
else {
vErrors.push(err155);
}
errors++;
}
if(data83 < 100 || isNaN(data83)){
const err156 = {instancePath:instancePath+"/probe/timeoutMs",schemaPath:"#/properties/probe/properties/timeoutMs/minimum",keyword:"minimum",params:{comparison: ">=", limit: 100},message:"must be >= 100",schema:100,parentSchema:schema11.properties.probe.properties.timeoutMs,data:data83};
if(vErrors === null){
vErrors = [err156];
}
else {
vErrors.push(err156);
}
errors++;
}
}
}
if(data77.onFailure !== undefined){
let data84 = data77.onFailure;
if(typeof data84 !== "string"){
const err157 = {instancePath:instancePath+"/probe/onFailure",schemaPath:"#/properties/probe/properties/onFailure/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.probe.properties.onFailure.type,parentSchema:schema11.properties.probe.properties.onFailure,data:data84};
if(vErrors === null){
vErrors = [err157];
}
else {
vErrors.push(err157);
}
errors++;
}
if(!((data84 === "stop") || (data84 === "warn"))){
const err158 = {instancePath:instancePath+"/probe/onFailure",schemaPath:"#/properties/probe/properties/onFailure/enum",keyword:"enum",params:{allowedValues: schema11.properties.probe.properties.onFailure.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.probe.properties.onFailure.enum,parentSchema:schema11.properties.probe.properties.onFailure,data:data84};
if(vErrors === null){
vErrors = [err158];
}
else {
vErrors.push(err158);
}
errors++;
}
}
if(data77.onOutage !== undefined){
let data85 = data77.onOutage;
if(typeof data85 !== "string"){
const err159 = {instancePath:instancePath+"/probe/onOutage",schemaPath:"#/properties/probe/properties/onOutage/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.probe.properties.onOutage.type,parentSchema:schema11.properties.probe.properties.onOutage,data:data85};
if(vErrors === null){
vErrors = [err159];
}
else {
vErrors.push(err159);
}
errors++;
}
if(!((data85 === "warn") || (data85 === "stop"))){
const err160 = {instancePath:instancePath+"/probe/onOutage",schemaPath:"#/properties/probe/properties/onOutage/enum",keyword:"enum",params:{allowedValues: schema11.properties.probe.properties.onOutage.enum},message:"must be equal to one of the allowed values",schema:schema11.properties.probe.properties.onOutage.enum,parentSchema:schema11.properties.probe.properties.onOutage,data:data85};
if(vErrors === null){
vErrors = [err160];
}
else {
vErrors.push(err160);
}
errors++;
}
}
if(data77.outageRetrySec !== undefined){
let data86 = data77.outageRetrySec;
if(!(((typeof data86 == "number") && (!(data86 % 1) && !isNaN(data86))) && (isFinite(data86)))){
const err161 = {instancePath:instancePath+"/probe/outageRetrySec",schemaPath:"#/properties/probe/properties/outageRetrySec/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.probe.properties.outageRetrySec.type,parentSchema:schema11.properties.probe.properties.outageRetrySec,data:data86};
if(vErrors === null){
vErrors = [err161];
}
else {
vErrors.push(err161);
}
errors++;
}
if((typeof data86 == "number") && (isFinite(data86))){
if(data86 > 600 || isNaN(data86)){
const err162 = {instancePath:instancePath+"/probe/outageRetrySec",schemaPath:"#/properties/probe/properties/outageRetrySec/maximum",keyword:"maximum",params:{comparison: "<=", limit: 600},message:"must be <= 600",schema:600,parentSchema:schema11.properties.probe.properties.outageRetrySec,data:data86};
if(vErrors === null){
vErrors = [err162];
}
else {
vErrors.push(err162);
}
errors++;
}
if(data86 < 0 || isNaN(data86)){
const err163 = {instancePath:instancePath+"/probe/outageRetrySec",schemaPath:"#/properties/probe/properties/outageRetrySec/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.probe.properties.outageRetrySec,data:data86};
if(vErrors === null){
vErrors = [err163];
}
else {
vErrors.push(err163);
}
errors++;
}
}
}
}
else {
const err164 = {instancePath:instancePath+"/probe",schemaPath:"#/properties/probe/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.probe.type,parentSchema:schema11.properties.probe,data:data77};
if(vErrors === null){
vErrors = [err164];
}
else {
vErrors.push(err164);
}
errors++;
}
}
}
else {
const err165 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.type,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err165];
}
else {
vErrors.push(err165);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}

