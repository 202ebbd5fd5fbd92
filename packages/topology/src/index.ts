// Public API of @meridian/topology: every export is named here.
export const version = "0.1.0";
