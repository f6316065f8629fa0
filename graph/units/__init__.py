"""Administrative units of both eras, their succession, the packages they come from, and where any node is placed (scopes)."""
