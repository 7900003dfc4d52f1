// Saves text as a file through the browser's download (used when the host has no
// save dialog, i.e. the page is served by the headless agent).

export function downloadText(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the click; the URL is freed a while later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
