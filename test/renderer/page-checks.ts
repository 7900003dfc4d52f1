// Checks more than one renderer test makes: colour contrast, and the page's one time
// format worked out without Intl.

/** WCAG contrast ratio of two computed `rgb(…)` colours. */
export function contrast(a: string, b: string): number {
  const luminance = (color: string): number => {
    const [r = 0, g = 0, bl = 0] = (color.match(/[\d.]+/g) ?? []).map(Number).map((c) => {
      const v = c / 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

/** The person's locale and time zone in the tests that check times: UTC-10 all year (no daylight saving), far from this machine's zone. */
export const HONOLULU = { locale: 'en-US', timezoneId: 'Pacific/Honolulu' } as const;
const OFFSET_MS = -10 * 3_600_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** en-US "medium date, short time" of `iso` in Honolulu, e.g. "Nov 29, 2026, 7:31 AM", as a pattern without anchors. */
export function honoluluText(iso: string): string {
  const d = new Date(new Date(iso).getTime() + OFFSET_MS);
  const hours = d.getUTCHours();
  const minutes = String(d.getUTCMinutes()).padStart(2, '0');
  const text = `${MONTHS[d.getUTCMonth()] ?? ''} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${hours % 12 || 12}:${minutes}`;
  // ICU puts a narrow no-break space before AM/PM.
  return `${text}\\s${hours < 12 ? 'AM' : 'PM'}`;
}

/** The whole text is `iso` in the page's format. */
export function honolulu(iso: string): RegExp {
  return new RegExp(`^${honoluluText(iso)}$`);
}
