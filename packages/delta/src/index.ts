// Public API of @meridian/delta: every export is named here.
