"""Placeholder; replaced by the real controller."""

from pecan import rest


class LimitsController(rest.RestController):
    pass
