// Public API of @meridian/query-client: every export is named here.
