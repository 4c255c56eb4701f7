"""Placeholder; replaced by the real controller."""

from pecan import rest


class ImagesController(rest.RestController):
    pass
