"""The graph layer: model, migrations, one module per aggregate, and the local Neo4j.

Nothing here imports fastapi or strawberry: the API and the seeders are both clients of it.
"""
