"""The network: organisations, people, teams and memberships, focal points, decisions; their writers, commands and look-ups."""
