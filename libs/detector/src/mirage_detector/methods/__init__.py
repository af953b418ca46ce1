"""Registered detection methods; importing this package registers all of them."""

from mirage_detector.methods import coop, maple, mirage, univfd
from mirage_detector.methods.base import (
    Detector,
    DetectorOutput,
    create_method,
    list_methods,
    register_method,
)

__all__ = [
    "Detector",
    "DetectorOutput",
    "coop",
    "create_method",
    "list_methods",
    "maple",
    "mirage",
    "register_method",
    "univfd",
]
