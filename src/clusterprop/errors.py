"""The package's own error types, in a module that imports nothing of the package, so
that every module can raise them without importing another stage's module."""


class DataError(ValueError):
    """A data file is missing, corrupt or of the wrong shape."""
