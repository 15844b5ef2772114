"""Route handlers of the local backend, one module per resource family."""
