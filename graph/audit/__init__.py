"""The audit trail: one event per change, the change feed, and the log of personal-data reads."""
