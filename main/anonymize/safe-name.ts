// The syntax of a name that may leave as written: an app's service.name, its metric
// names and attribute keys (main/intake/safe-names.ts adds what syntax cannot see: ids,
// addresses, this machine's names). Config and settings keys that name a source use it too.
export const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
