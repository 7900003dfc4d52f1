// Every time the page shows, in one format: the person's locale and time zone, to the
// minute ("29 Nov 2026, 17:31" in en-GB, "Nov 29, 2026, 5:31 PM" in en-US).

const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : format.format(date);
}
