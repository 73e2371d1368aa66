import { FIRST_NAMES, LAST_NAMES } from './names.ts';

/**
 * The fixed part of the demo tenant, listed in README. These secrets protect nothing but
 * a local demo; a real deployment points the BFF at a real tenant instead.
 */
export const DEMO = {
  rolesClaim: 'https://refresh-token-console/roles',
  api: {
    identifier: 'https://api.acme.test/',
    name: 'Acme API',
    scopes: ['read:orders', 'write:orders', 'read:profile'],
  },
  clients: {
    mobile: {
      client_id: 'acme-mobile',
      name: 'Acme Mobile',
      callbacks: ['com.acme.mobile://callback', 'http://127.0.0.1:8765/callback'],
    },
    web: {
      client_id: 'acme-web',
      name: 'Acme Web',
      secret: 'acme-web-demo-secret-0123456789abcdef',
      callbacks: ['http://localhost:3000/callback', 'http://127.0.0.1:8765/callback'],
      logout: ['http://localhost:3000/'],
    },
    spa: { client_id: 'acme-spa', name: 'Acme Dashboard SPA', callbacks: ['http://localhost:5173/callback'] },
    dashboard: {
      client_id: 'rtc-dashboard',
      name: 'Refresh Token Console',
      secret: 'rtc-dashboard-demo-secret-0123456789abcdef',
      callbacks: [
        'http://localhost:4000/auth/callback',
        'http://127.0.0.1:4000/auth/callback',
        'http://localhost:5173/auth/callback',
      ],
      logout: ['http://localhost:4000/', 'http://127.0.0.1:4000/', 'http://localhost:5173/'],
    },
    management: {
      client_id: 'rtc-management',
      name: 'Refresh Token Console (Management API)',
      secret: 'rtc-management-demo-secret-0123456789abcdef',
      callbacks: [],
    },
  },
  staff: [
    {
      user_id: 'auth0|staff-admin',
      email: 'admin@console.test',
      name: 'Ada Admin',
      role: 'admin',
      password: 'admin-demo-password',
    },
    {
      user_id: 'auth0|staff-support',
      email: 'support@console.test',
      name: 'Sam Support',
      role: 'support',
      password: 'support-demo-password',
    },
    {
      user_id: 'auth0|staff-viewer',
      email: 'viewer@console.test',
      name: 'Vic Viewer',
      role: 'viewer',
      password: 'viewer-demo-password',
    },
  ],
  sampleUser: { user_id: 'auth0|demo-jane', email: 'jane.doe@example.com', name: 'Jane Doe' },
  endUserPassword: 'demo-user-password',
} as const;

/** The demo tenant's end user number `i` (0 is Jane Doe), as the seed creates them. */
export function demoEndUser(i: number): { user_id: string; email: string; name: string } {
  if (i === 0) return { ...DEMO.sampleUser };
  const first = FIRST_NAMES[i % FIRST_NAMES.length]!;
  const last = LAST_NAMES[(i * 7) % LAST_NAMES.length]!;
  return {
    user_id: `auth0|${(0x64a1f0 + i * 7919).toString(16).padStart(24, '0')}`,
    email: `${first}.${last}${i > 40 ? i : ''}@example.com`.toLowerCase(),
    name: `${first} ${last}`,
  };
}
