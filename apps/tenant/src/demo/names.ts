export const FIRST_NAMES = [
  'Olivia',
  'Liam',
  'Emma',
  'Noah',
  'Amelia',
  'Oliver',
  'Sophia',
  'Elijah',
  'Mia',
  'Lucas',
  'Isabella',
  'Mateo',
  'Ava',
  'Levi',
  'Charlotte',
  'Kenji',
  'Aiko',
  'Priya',
  'Arjun',
  'Fatima',
  'Omar',
  'Chen',
  'Mei',
  'Lars',
  'Ingrid',
  'Diego',
  'Lucia',
  'Tomasz',
  'Zofia',
  'Kwame',
  'Amara',
  'Hugo',
  'Chloe',
  'Yusuf',
  'Leila',
  'Sven',
  'Astrid',
];

export const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Garcia',
  'Martinez',
  'Brown',
  'Nguyen',
  'Kim',
  'Patel',
  'Mueller',
  'Rossi',
  'Dubois',
  'Silva',
  'Kowalski',
  'Jensen',
  'Tanaka',
  'Okafor',
  'Haddad',
  'Novak',
  'Larsen',
  'Costa',
  'Schmidt',
  'Wang',
  'Ivanova',
];

/**
 * Named devices as people name them, with the agents they send and addresses inside real
 * networks' announced ranges (mobile carriers, home broadband, a cloud VPN), so the IP database
 * names them: T-Mobile US, Verizon, Comcast, Amazon, Andrews & Arnold, Free, Orange, Wind Tre,
 * O2 UK, BT. Each seeded device is on one of its networks, so a demo token is not flagged as
 * moved; a user's devices together span networks and countries (the Locations tab).
 */
export const DEVICES: { name: string; userAgent: string; ips: string[]; apps: string[] }[] = [
  {
    name: 'iPhone 15',
    userAgent: 'AcmeMobile/4.2.1 (iPhone15,3; iOS 18.1) CFNetwork/1568 Darwin/24.1.0',
    ips: ['172.56.21.14', '174.205.12.77', '73.162.40.8', '2607:fb90:2c1e:8a1::1a'],
    apps: ['native'],
  },
  {
    name: 'Pixel 8',
    userAgent: 'AcmeMobile/4.2.0 (Linux; Android 15; Pixel 8) okhttp/4.12.0',
    ips: ['172.56.88.201', '24.5.119.43', '2601:646:8300:4a0::2b'],
    apps: ['native'],
  },
  {
    name: 'MacBook Pro',
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    ips: ['73.223.17.90', '98.207.1.33'],
    apps: ['regular_web', 'spa'],
  },
  {
    name: 'Work laptop',
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    ips: ['52.95.110.1', '54.239.28.85'],
    apps: ['regular_web', 'spa'],
  },
  {
    name: 'iPad Air',
    userAgent: 'AcmeMobile/4.1.9 (iPad13,16; iPadOS 18.0) CFNetwork/1568 Darwin/24.0.0',
    ips: ['81.2.69.160', '88.160.4.21', '2a01:e0a:1f:5c0::7'],
    apps: ['native', 'spa'],
  },
  {
    name: 'Galaxy S24',
    userAgent: 'AcmeMobile/4.2.1 (Linux; Android 14; SM-S921B) okhttp/4.12.0',
    ips: ['151.38.2.90', '90.84.11.7', '2a01:cb00:1:1::1'],
    apps: ['native'],
  },
  {
    name: 'Home desktop',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    ips: ['92.184.100.3', '82.132.240.10', '2a00:23c5:1:1::1'],
    apps: ['regular_web', 'spa'],
  },
];
