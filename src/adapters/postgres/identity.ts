// PostgreSQL implementation; filled in by its module's issue.
export {};
