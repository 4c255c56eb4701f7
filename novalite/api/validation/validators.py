"""Run a schema and turn its first error into Nova's message."""

import jsonschema

from novalite.api.validation import formats
from novalite import exception


def _validator(schema):
    cls = jsonschema.validators.validator_for(schema,
                                              jsonschema.Draft4Validator)
    return cls(schema, format_checker=formats.FORMAT_CHECKER)


_CACHE = {}


def validate(schema, instance, is_body=True):
    key = id(schema)
    validator = _CACHE.get(key)
    if validator is None:
        validator = _CACHE[key] = _validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is None:
        return
    if isinstance(error.cause, exception.NovaliteException):
        raise exception.ValidationError(detail=error.cause.message)
    if len(error.path) > 0:
        field = error.path.pop()
        value = error.instance
        if is_body:
            detail = ('Invalid input for field/attribute %s. Value: %s. %s'
                      % (field, value, error.message))
        else:
            detail = ('Invalid input for query parameters %s. Value: %s. %s'
                      % (field, value, error.message))
    else:
        detail = error.message
    raise exception.ValidationError(detail=detail)
