"""The HTTP and GraphQL layer: the FastAPI app, GraphQL types, resolvers, loaders, permissions."""
