// Public API of @meridian/cli: every export is named here.
