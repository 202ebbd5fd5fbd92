// Public API of @meridian/emitters: every export is named here.
