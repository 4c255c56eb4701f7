"""Placeholder; replaced by the real controller."""

from pecan import rest


class KeypairsController(rest.RestController):
    pass
