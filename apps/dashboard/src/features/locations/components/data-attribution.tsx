/**
 * Credit the IP data's licence asks for (CC BY 4.0; DB-IP asks web applications for a link
 * back), on every page, since every page may show an address's network or country.
 */
export function DataAttribution() {
  return (
    <p className="attribution small muted">
      IP data: <a href="https://db-ip.com">IP Geolocation by DB-IP</a>,{' '}
      <a href="https://www.routeviews.org/routeviews/">RouteViews</a> and <a href="https://www.nro.net">NRO</a> via{' '}
      <a href="https://github.com/sapics/ip-location-db">ip-location-db</a>, under{' '}
      <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>. Map shapes:{' '}
      <a href="https://www.naturalearthdata.com">Natural Earth</a>.
    </p>
  );
}
