"""Import batches: spreadsheet rows applied in chunks through the network's writers, traced and undoable."""
