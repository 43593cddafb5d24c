import type { NextConfig } from 'next';

const config: NextConfig = {
  // A self-contained server bundle for the Docker image (infra/Dockerfile sets NEXT_OUTPUT=standalone);
  // `npm start` runs `next start`, which needs the regular output.
  ...(process.env.NEXT_OUTPUT === 'standalone' ? { output: 'standalone' as const } : {}),
  poweredByHeader: false,
  reactStrictMode: true,
  // Type checking and lint run as their own turbo tasks; the build only builds.
  typescript: { ignoreBuildErrors: true },
  transpilePackages: [],
  async headers() {
    return [
      {
        // Not the api forwarder (/api/v1/*): it passes on the api's own headers, and sets these where the api does not.
        source: '/((?!api/).*)',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          // Pages get their full policy, with a nonce, from proxy.ts; everything else at least this.
          { key: 'Content-Security-Policy', value: "frame-ancestors 'none'" },
        ],
      },
    ];
  },
};

export default config;
