"""GraphQL types, one module per type or small family."""
