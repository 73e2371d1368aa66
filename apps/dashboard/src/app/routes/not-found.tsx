import { Link } from 'react-router';
import { paths } from '../../config/paths';

export function NotFound() {
  return (
    <main className="page">
      <h1>Page not found</h1>
      <p>
        <Link to={paths.users()}>Go to Users</Link>
      </p>
    </main>
  );
}
