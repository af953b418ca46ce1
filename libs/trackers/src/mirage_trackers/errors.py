"""Errors a user can fix; the command line prints their message alone, without a stack trace."""


class TrackerExportError(Exception):
    """Base of the export errors that are the user's to fix."""


class BundleError(TrackerExportError):
    """The bundle file does not have the shape `mirage export` writes; the message names the field."""


class MissingTrackerError(TrackerExportError):
    """The tracker's library is not installed; the message names the pip command that installs it."""

    def __init__(self, tracker: str, module: str) -> None:
        super().__init__(
            f"--to {tracker}: the Python package {module!r} is not installed; "
            f"install it with: .venv/bin/pip install -e 'libs/trackers[{tracker}]' "
            f"(or pip install 'mirage-trackers[{tracker}]')"
        )
        self.tracker = tracker


class OutputExistsError(TrackerExportError):
    """The output folder already holds files: an export never writes over (or wipes) an earlier one."""
