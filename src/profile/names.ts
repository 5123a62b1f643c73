// Name rules for profile keys that become names on the host, in one place: the checks, `hermit init`
// and the lifecycle commands use these, and a unit test holds the schema's patterns and messages
// (its errorMessage for the same keys) to them.

export const NAME_RULES = {
  profile: {
    re: /^[a-z0-9][a-z0-9-]{0,17}$/,
    message: "must be 1-18 characters of a-z, 0-9 and '-', starting with a letter or digit (it becomes the iptables chains HERMIT-<name> and HERMIT-IN-<name>)",
  },
  docker: {
    re: /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/,
    message: "must be at least 2 characters of letters, digits, '_', '.', '-', starting with a letter or digit (Docker's rule for names)",
  },
  ifname: {
    re: /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,15}$/,
    message: "must be a Linux interface name: 1-15 characters of A-Z, a-z, 0-9, '_', '.', '-' (and not '.' or '..')",
  },
} as const;
