/** A data source the lookups use, with the credit its licence asks for. */
export interface DataSource {
  name: string;
  url: string;
  licence: string;
  licenceUrl: string;
}

/**
 * CC BY 4.0 requires credit to each source; DB-IP also asks web applications showing its
 * results for a link back to db-ip.com. The dashboard's footer and the README show these.
 */
export const ATTRIBUTION: readonly DataSource[] = [
  {
    name: 'IP Geolocation by DB-IP',
    url: 'https://db-ip.com',
    licence: 'CC BY 4.0',
    licenceUrl: 'https://creativecommons.org/licenses/by/4.0/',
  },
  {
    name: 'RouteViews',
    url: 'https://www.routeviews.org/routeviews/',
    licence: 'CC BY 4.0',
    licenceUrl: 'https://creativecommons.org/licenses/by/4.0/',
  },
  {
    name: 'Number Resource Organization',
    url: 'https://www.nro.net',
    licence: 'CC BY 4.0',
    licenceUrl: 'https://creativecommons.org/licenses/by/4.0/',
  },
  {
    name: 'ip-location-db',
    url: 'https://github.com/sapics/ip-location-db',
    licence: 'CC BY 4.0',
    licenceUrl: 'https://creativecommons.org/licenses/by/4.0/',
  },
];
