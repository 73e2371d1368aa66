import type { FeatureCollection, Geometry } from 'geojson';
import { geoEqualEarth, geoPath } from 'd3-geo';
import { iso31661NumericToAlpha2 } from 'iso-3166';
import { useMemo } from 'react';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import atlas from 'world-atlas/countries-110m.json';
import type { CountrySummary } from '../lib/countries';

/**
 * A world map drawn offline from Natural Earth's shapes (world-atlas, 1:110m), with the
 * countries where the user's tokens and sessions were used shaded. No tiles, no requests:
 * this module (shapes included) is its own chunk, loaded only when the Locations tab is opened.
 */
const WIDTH = 960;
const HEIGHT = 470;

const topology = atlas as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
const countries = feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name: string }>;
const projection = geoEqualEarth().fitSize([WIDTH, HEIGHT], countries);
const path = geoPath(projection);
// Shapes are keyed by ISO 3166-1 numeric code; the BFF names countries by alpha-2.
const shapes = countries.features.map((f) => ({
  alpha2: f.id === undefined ? undefined : iso31661NumericToAlpha2[String(f.id)],
  d: path(f) ?? '',
}));

export default function WorldMap({ countries: visited, title }: { countries: CountrySummary[]; title: string }) {
  const seen = useMemo(() => new Set(visited.map((c) => c.country)), [visited]);
  const latest = visited[0]?.country;
  const description = visited.length
    ? `Shaded: ${visited.map((c) => c.name).join(', ')}.`
    : 'No country is known for these addresses.';
  return (
    <figure className="world-map">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="world-map-title world-map-desc">
        <title id="world-map-title">{title}</title>
        <desc id="world-map-desc">{description}</desc>
        {/* biome-ignore lint/a11y/noAriaHiddenOnFocusable: no path takes focus; the title and description speak for the map */}
        <g aria-hidden="true">
          {shapes.map((shape, i) => (
            <path
              // biome-ignore lint/suspicious/noArrayIndexKey: the shapes are a constant list, drawn in one order
              key={i}
              d={shape.d}
              className={
                shape.alpha2 === latest
                  ? 'country latest'
                  : shape.alpha2 && seen.has(shape.alpha2)
                    ? 'country seen'
                    : 'country'
              }
            />
          ))}
        </g>
      </svg>
      <figcaption className="muted small">
        <span className="swatch latest" aria-hidden="true" /> most recent{' '}
        <span className="swatch seen" aria-hidden="true" /> also seen · Map: Natural Earth (public domain), via
        world-atlas.
      </figcaption>
    </figure>
  );
}
