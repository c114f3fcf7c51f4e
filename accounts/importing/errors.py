"""Errors the import pipeline raises to say why a file cannot be read at all."""


class ImportRefused(Exception):
    """The file is refused before any work: unreadable, wrong shape or over a limit.

    The message is shown to the admin (page and CLI) as-is, so it must say what is wrong and,
    where possible, what to do about it.
    """
