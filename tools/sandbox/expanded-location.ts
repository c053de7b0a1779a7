/** How a page that spells regions out shows a location: the EXPANDED form of `InfoForm` (drift-knobs.ts). */

/** Regions as the demo data abbreviates them, and as a page that spells them out shows them. */
const REGIONS: Record<string, string> = {
  CA: 'California, United States',
  NY: 'New York, United States',
  TX: 'Texas, United States',
  WA: 'Washington, United States',
  MA: 'Massachusetts, United States',
  IL: 'Illinois, United States',
  CO: 'Colorado, United States',
  GB: 'England, United Kingdom',
  DE: 'Germany',
  FR: 'France',
  NL: 'Netherlands',
  IE: 'Ireland',
  ON: 'Ontario, Canada',
  SG: 'Singapore',
  AU: 'Australia',
};

/** "Austin, TX" → "Austin, Texas, United States"; a location of another shape gains its country. */
export function expandedLocation(location: string): string {
  const parts = location.split(',').map((part) => part.trim());
  const region = REGIONS[parts[parts.length - 1] ?? ''];
  if (region !== undefined) return [...parts.slice(0, -1), region].join(', ');
  return `${location} (area)`;
}
