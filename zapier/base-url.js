// Where the Fieldline API is: the connection's own field, else the environment (local runs, tests).
'use strict';

const baseUrl = (bundle) =>
  (bundle.authData.base_url || process.env.FIELDLINE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');

module.exports = { baseUrl };
