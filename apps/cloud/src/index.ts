// Filled in by its own issue; the workspace package exists so every later piece has its place.
export {};
