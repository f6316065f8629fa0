"""The synthetic demo network (generated from a fixed seed, labelled Synthetic)."""
