"""Run a schema and turn its first error into Nova's message."""

import jsonschema
from jsonschema import _keywords

from novalite.api.validation import formats
from novalite import exception


def _as_number(instance):
    """Digit strings count as numbers for minimum/maximum, as in Nova."""
    if isinstance(instance, str):
        try:
            return int(instance)
        except ValueError:
            try:
                return float(instance)
            except ValueError:
                return instance
    return instance


def _minimum(validator, minimum, instance, schema):
    yield from _keywords.minimum(validator, minimum, _as_number(instance),
                                 schema)


def _maximum(validator, maximum, instance, schema):
    yield from _keywords.maximum(validator, maximum, _as_number(instance),
                                 schema)


_Validator = jsonschema.validators.extend(
    jsonschema.Draft4Validator, {'minimum': _minimum, 'maximum': _maximum})

_CACHE = {}


def validate(schema, instance, is_body=True):
    key = id(schema)
    validator = _CACHE.get(key)
    if validator is None:
        validator = _CACHE[key] = _Validator(
            schema, format_checker=formats.FORMAT_CHECKER)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is None:
        return
    if isinstance(error.cause, exception.NovaliteException):
        raise exception.ValidationError(detail=error.cause.message)
    if len(error.path) > 0:
        if is_body:
            # The innermost field names the problem in a body...
            detail = ('Invalid input for field/attribute %s. Value: %s. %s'
                      % (error.path.pop(), error.instance, error.message))
        else:
            # ...and the parameter name (not the index of a repeated
            # value) in a query string.
            detail = ('Invalid input for query parameters %s. Value: %s. %s'
                      % (error.path.popleft(), error.instance,
                         error.message))
    else:
        detail = error.message
    raise exception.ValidationError(detail=detail)
