/** One CSV field, quoted when it must be (RFC 4180), so it reads back as the same value. */
export function csvField(value: string, delimiter: string): string {
  if (value === '' || !(/["\r\n]/.test(value) || value.includes(delimiter) || value !== value.trim()))
    return value;
  return `"${value.replaceAll('"', '""')}"`;
}
