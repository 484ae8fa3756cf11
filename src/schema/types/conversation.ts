// Filled in by its owner: one GraphQL type per file, with its loader and root fields.
export {};
