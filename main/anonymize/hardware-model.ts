import { OTHER } from './categories.js';

// CPU brands and GPU models leave built from hardware words and model numbers only:
// "Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz" stays readable, while a VM's model
// string that carries a user's or a host's name loses that word. Unknown words are
// left out (not replaced): a model name reads fine without them, and nothing else
// is there to keep.

const HARDWARE_WORDS = new Set([
  // vendors and families
  'intel',
  'amd',
  'apple',
  'arm',
  'qualcomm',
  'nvidia',
  'ati',
  'via',
  'hygon',
  'ibm',
  'ampere',
  'aws',
  'graviton',
  'microsoft',
  'core',
  'xeon',
  'pentium',
  'celeron',
  'atom',
  'itanium',
  'gold',
  'silver',
  'bronze',
  'platinum',
  'scalable',
  'ryzen',
  'epyc',
  'threadripper',
  'athlon',
  'phenom',
  'opteron',
  'sempron',
  'turion',
  'fx',
  'apu',
  'radeon',
  'vega',
  'instinct',
  'snapdragon',
  'kryo',
  'cortex',
  'neoverse',
  'altra',
  'oryon',
  'power',
  'power9',
  'power10',
  'geforce',
  'rtx',
  'gtx',
  'gt',
  'mx',
  'quadro',
  'tesla',
  'titan',
  'ti',
  'super',
  'titanium',
  'iris',
  'xe',
  'uhd',
  'hd',
  'arc',
  'graphics',
  'integrated',
  'mobile',
  'laptop',
  'desktop',
  'gpu',
  'cpu',
  'processor',
  'apu',
  'pro',
  'max',
  'ultra',
  'plus',
  'lite',
  'mini',
  'ai',
  'x',
  'xt',
  'xtx',
  'rx',
  'r5',
  'r7',
  'r9',
  'vii',
  'virtual',
  'qemu',
  'kvm',
  'vmware',
  'svga',
  'virtio',
  'bochs',
  'cirrus',
  'logic',
  'hyper-v',
  'basic',
  'display',
  'adapter',
  'render',
  'only',
  'driver',
  'standard',
  'vga',
  'compatible',
  'controller',
  'family',
  'series',
  'generation',
  'gen',
  'th',
  'nd',
  'rd',
  'st',
  'common',
  'version',
  'with',
  'matrox',
  'aspeed',
  'llvmpipe',
  'software',
  'rasterizer',
  'microsoft',
  'corporation',
  'inc',
  'technologies',
  'devices',
  'advanced',
  'micro',
  'cores',
  'tm',
  'r',
  'embedded',
  'skylake',
  'haswell',
  'broadwell',
  'icelake',
  'cascadelake',
  'sapphire',
  'rapids',
  'emerald',
  'zen',
  'milan',
  'rome',
  'genoa',
  'bergamo',
  'server',
  'workstation',
  'edition',
  'dual',
  'quad',
  'six',
  'eight',
  'octa',
  'hexa',
]);

// Model numbers and clock speeds: i7, M2, v4, 8565U, 4090, 3080Ti, i7-8565U, E5-2680,
// W-2295, 64-Core, 1.80GHz. Letters before the digits are one or two (three only with
// three or more digits), so a short user or host name with a number rarely fits.
const MODEL_NUMBER =
  /^(?:[a-z]?\d{1,2}|\d{2,5}[a-z]{0,4}|[a-z]{1,2}\d{1,2}-\d{3,5}[a-z]{0,4}|[a-z]{1,3}-?\d{3,5}[a-z]{0,3}|\d{1,3}-core|\d{1,2}(?:\.\d{1,3})?(?:ghz|mhz)|\d{1,3}(?:gb|mb))$/i;

function keep(token: string): boolean {
  const lower = token.toLowerCase();
  return HARDWARE_WORDS.has(lower) || MODEL_NUMBER.test(lower);
}

/** The model string reduced to hardware words and model numbers, or `other` when none is left. */
export function hardwareModel(text: string): string {
  const kept: string[] = [];
  // Trademark marks are noise: "Intel(R) Core(TM)" reads as "Intel Core".
  for (const raw of text.replace(/\((?:r|tm|c)\)|[®™©]/gi, '').split(/[\s,;]+/)) {
    if (raw === '' || raw === '@') {
      if (raw === '@') kept.push('@');
      continue;
    }
    const token = raw.replace(/^[[("']+|[\])"':.]+$/g, '');
    if (token !== '' && keep(token)) kept.push(token);
  }
  while (kept[kept.length - 1] === '@') kept.pop();
  const out = kept.join(' ').trim();
  return out === '' || out === '@' ? OTHER : out;
}

const VERSION = /^\s*v?(\d{1,6}(?:\.\d{1,6}){0,3})(?![\d])/;

/** The leading dotted version number ("6.1.0-18-amd64" -> "6.1.0"), or `other`. */
export function leadingVersion(text: string): string {
  return VERSION.exec(text)?.[1] ?? OTHER;
}
