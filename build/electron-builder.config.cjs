// electron-builder configuration: `npm run dist` (see docs/desktop.md).
// Only the built app goes in: dist/** without source maps, tests or benchmarks,
// package.json, and the production dependencies electron-builder adds itself.

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'dev.candor.agent',
  productName: 'Candor',
  copyright: 'Copyright © Candor contributors',
  directories: { output: 'release', buildResources: 'build' },
  files: [
    'package.json',
    'dist/**/*',
    '!dist/**/*.map',
    '!dist/**/*.test.*',
    '!dist/test{,/**/*}',
    '!dist/bench{,/**/*}',
    '!**/*.ts',
    '!**/*.tsbuildinfo',
  ],
  // Tray icons are read from process.resourcesPath/icons at run time (main/desktop/main.ts).
  extraResources: [{ from: 'build/icons', to: 'icons', filter: ['tray-*.png', 'icon.png'] }],
  asar: true,
  afterPack: 'build/after-pack.cjs',
  icon: 'build/icons/icon.png',
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Utility',
    executableName: 'candor',
    icon: 'build/icons/icon.png',
    synopsis: 'Privacy-first telemetry agent with a tray and a payload preview',
  },
  deb: { depends: ['libappindicator3-1 | libayatana-appindicator3-1'] },
  win: { target: ['nsis'], icon: 'build/icons/icon.png' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.utilities',
    icon: 'build/icons/icon.png',
    // A tray app: no Dock icon even before main.ts hides it.
    extendInfo: { LSUIElement: true },
  },
  dmg: { title: 'Candor' },
};
