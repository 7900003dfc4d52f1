// electron-builder afterPack hook: flip Electron fuses on the packaged binary before
// it is signed. Fuses are compiled-in switches that an attacker with only file access
// to the app cannot turn back on without breaking the signature.
const path = require('node:path');

/** The fuse settings for a platform ('darwin' | 'win32' | 'linux'). */
function fuseConfig(platform) {
  const { FuseVersion, FuseV1Options } = require('@electron/fuses');
  return {
    version: FuseVersion.V1,
    // arm64 macOS refuses to run a binary whose ad-hoc signature no longer matches.
    resetAdHocDarwinSignature: platform === 'darwin',
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.EnableCookieEncryption]: true,
    // Asar integrity is checked on macOS and Windows only; on Linux the fuse has no effect.
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: platform === 'darwin' || platform === 'win32',
    // The renderer is served over candor://, so file:// needs no extra privileges.
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

/** Path of the Electron executable inside electron-builder's output folder. */
function electronBinary(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const name = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${name}.app`);
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${name}.exe`);
  return path.join(appOutDir, packager.executableName ?? name.toLowerCase());
}

async function afterPack(context) {
  const { flipFuses } = require('@electron/fuses');
  const platform = context.electronPlatformName === 'mas' ? 'darwin' : context.electronPlatformName;
  await flipFuses(electronBinary(context), fuseConfig(platform));
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.fuseConfig = fuseConfig;
module.exports.electronBinary = electronBinary;
