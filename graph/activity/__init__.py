"""What the community tech teams do: activity reports (people and households helped) and the
training of the network's members (#17)."""
