"""Pure, vectorised scoring (numpy/pandas): no database, so the CLI, tasks, views and the
benchmark share one implementation and tests run in milliseconds."""
