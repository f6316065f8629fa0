"""Loading data into the graph: the real administrative units and the synthetic demo network."""
