import type { Location } from '@rtc/contracts';

export interface CountrySummary {
  /** ISO 3166-1 alpha-2. */
  country: string;
  name: string;
  places: number;
  last_seen_at: string | null;
}

/** The countries of a user's locations, most recently seen first: what the map shades. */
export function countriesOf(locations: Location[]): CountrySummary[] {
  const byCountry = new Map<string, CountrySummary>();
  for (const location of locations) {
    if (!location.country) continue;
    const entry = byCountry.get(location.country) ?? {
      country: location.country,
      name: location.country_name ?? location.country,
      places: 0,
      last_seen_at: null,
    };
    entry.places += 1;
    if (location.last_seen_at && (!entry.last_seen_at || location.last_seen_at > entry.last_seen_at))
      entry.last_seen_at = location.last_seen_at;
    byCountry.set(location.country, entry);
  }
  return [...byCountry.values()].sort(
    (a, b) => (b.last_seen_at ?? '').localeCompare(a.last_seen_at ?? '') || a.name.localeCompare(b.name),
  );
}
