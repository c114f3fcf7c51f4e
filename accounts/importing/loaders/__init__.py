"""Loaders write validated chunks: ORM bulk operations everywhere, COPY + set-wise SQL on PostgreSQL."""
