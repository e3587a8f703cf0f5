#!/usr/bin/env node
// Creates or drops a throwaway PostgreSQL database for a CI run: `create NAME` / `drop NAME`.
import pg from 'pg';

const [action, name] = process.argv.slice(2);
if (!['create', 'drop'].includes(action) || !/^[a-z0-9_]+$/.test(name ?? '')) {
  console.error('usage: ci-database.js create|drop NAME');
  process.exit(2);
}
const client = new pg.Client({
  connectionString: process.env.CI_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
});
await client.connect();
try {
  await client.query(action === 'create' ? `CREATE DATABASE ${name}` : `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
} finally {
  await client.end();
}
