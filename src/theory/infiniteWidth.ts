// Filled in by issue 4 (being written).
export {};
