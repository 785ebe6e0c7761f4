"""The one exception type for domain errors."""


class BillfoldError(Exception):
    """A domain rule refused an action.

    ``code`` is stable and machine-readable; ``message`` is translated text a
    person can act on; ``field`` names the input to fix, when there is one.
    """

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
